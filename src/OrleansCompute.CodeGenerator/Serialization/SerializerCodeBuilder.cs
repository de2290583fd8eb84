using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace OrleansCompute.CodeGenerator.Serialization;

/// <summary>Analyses one [GenerateSerializer] type and writes its codec.</summary>
internal static class SerializerCodeBuilder
{
    private const string IdAttributeName = "OrleansCompute.IdAttribute";
    private const string AliasAttributeName = "OrleansCompute.AliasAttribute";
    private const string Ns = "global::OrleansCompute.Serialization.";
    private const uint ReservedId = uint.MaxValue;

    public static SerializerTypeResult? Build(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return null;
        }

        var diagnostics = new List<SerializerDiagnosticInfo>();
        var location = type.Locations.FirstOrDefault();
        var typeName = type.ToDisplayString();
        var hintName = "Serialization." + SanitizedName(type) + ".g.cs";

        foreach (var container in SymbolNames.ContainingChain(type))
        {
            if (container.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                var reason = SymbolEqualityComparer.Default.Equals(container, type)
                    ? $"it is {Describe(container.DeclaredAccessibility)}"
                    : $"it is nested in {Describe(container.DeclaredAccessibility)} type '{container.ToDisplayString()}'";
                diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.InaccessibleType, location, typeName, reason));
                return new SerializerTypeResult(hintName, null, null, diagnostics.ToImmutableArray());
            }

            if (container.IsFileLocal)
            {
                diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.InaccessibleType, location, typeName, "it is file-local"));
                return new SerializerTypeResult(hintName, null, null, diagnostics.ToImmutableArray());
            }
        }

        var members = CollectMembers(type, diagnostics, cancellationToken);
        var constructor = ChooseConstructor(type, members, diagnostics, location, typeName);
        if (diagnostics.Count > 0)
        {
            return new SerializerTypeResult(hintName, null, null, diagnostics.ToImmutableArray());
        }

        var source = Emit(type, members, constructor);
        return new SerializerTypeResult(hintName, source, Registration(type), ImmutableArray<SerializerDiagnosticInfo>.Empty);
    }

    // ---------------- analysis ----------------

    private static List<MemberModel> CollectMembers(INamedTypeSymbol type, List<SerializerDiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var typeName = type.ToDisplayString();
        var members = new List<MemberModel>();
        var primary = FindPrimaryConstructor(type);
        var parameterIds = new Dictionary<string, (uint Id, Location? Location)>(StringComparer.Ordinal);
        if (primary is not null)
        {
            foreach (var parameter in primary.Parameters)
            {
                if (GetId(parameter) is uint id)
                {
                    parameterIds[parameter.Name] = (id, parameter.Locations.FirstOrDefault());
                }
            }
        }

        foreach (var symbol in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (symbol.IsStatic || symbol.IsImplicitlyDeclared && symbol is IFieldSymbol)
            {
                continue;
            }

            ITypeSymbol memberType;
            if (symbol is IFieldSymbol field)
            {
                memberType = field.Type;
            }
            else if (symbol is IPropertySymbol property && !property.IsIndexer && property.ExplicitInterfaceImplementations.IsEmpty)
            {
                memberType = property.Type;
            }
            else
            {
                continue;
            }

            var id = GetId(symbol);
            if (id is null && parameterIds.TryGetValue(symbol.Name, out var fromParameter))
            {
                id = fromParameter.Id;
            }

            if (id is null)
            {
                continue;
            }

            var model = new MemberModel(symbol, id.Value, memberType) { Index = members.Count };
            var location = symbol.Locations.FirstOrDefault();
            if (id.Value == ReservedId)
            {
                diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.ReservedId, location, symbol.Name, typeName));
            }

            var duplicate = members.FirstOrDefault(m => m.Id == id.Value);
            if (duplicate is not null)
            {
                diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.DuplicateId, location, typeName, id.Value.ToString(CultureInfo.InvariantCulture), duplicate.Name, symbol.Name));
            }

            if (!IsSupported(memberType, 0))
            {
                diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.UnsupportedMemberType, location, symbol.Name, typeName, memberType.ToDisplayString()));
            }

            ResolveAccess(type, model, diagnostics, location, typeName);
            members.Add(model);
        }

        return members;
    }

    private static uint? GetId(ISymbol symbol)
    {
        var attribute = SymbolNames.GetAttribute(symbol, IdAttributeName);
        if (attribute is null || attribute.ConstructorArguments.Length != 1)
        {
            return null;
        }

        return attribute.ConstructorArguments[0].Value switch
        {
            uint u => u,
            int i => (uint)i,
            _ => null,
        };
    }

    private static bool IsAccessible(Accessibility accessibility) =>
        accessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    private static void ResolveAccess(INamedTypeSymbol type, MemberModel model, List<SerializerDiagnosticInfo> diagnostics, Location? location, string typeName)
    {
        if (model.Symbol is IFieldSymbol field)
        {
            var direct = IsAccessible(field.DeclaredAccessibility);
            model.Get = direct ? AccessKind.Direct : AccessKind.FieldAccessor;
            model.Set = direct && !field.IsReadOnly && !field.IsConst ? AccessKind.Direct : AccessKind.FieldAccessor;
            model.AccessorFieldName = field.Name;
            if (field.IsConst)
            {
                diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.MemberNotAccessible, location, field.Name, typeName, "set", "a constant cannot be deserialized; remove [Id]"));
            }

            return;
        }

        var property = (IPropertySymbol)model.Symbol;
        if (property.GetMethod is null)
        {
            diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.MemberNotAccessible, location, property.Name, typeName, "read", "add a getter"));
            return;
        }

        model.Get = IsAccessible(property.GetMethod.DeclaredAccessibility) ? AccessKind.Direct : AccessKind.MethodAccessor;
        if (property.SetMethod is not null)
        {
            model.Set = IsAccessible(property.SetMethod.DeclaredAccessibility) && !property.SetMethod.IsInitOnly
                ? AccessKind.Direct
                : AccessKind.MethodAccessor;
            return;
        }

        foreach (var candidate in type.GetMembers())
        {
            if (candidate is IFieldSymbol backing && SymbolEqualityComparer.Default.Equals(backing.AssociatedSymbol, property))
            {
                model.Set = AccessKind.FieldAccessor;
                model.AccessorFieldName = backing.Name;
                return;
            }
        }

        // No setter and no backing field: only settable through a constructor parameter (checked later).
        model.Set = AccessKind.None;
    }

    private static IMethodSymbol? FindPrimaryConstructor(INamedTypeSymbol type)
    {
        foreach (var constructor in type.InstanceConstructors)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is TypeDeclarationSyntax { ParameterList: not null })
                {
                    return constructor;
                }
            }
        }

        return null;
    }

    private sealed class ConstructorModel
    {
        public ConstructorModel(IMethodSymbol? method, bool direct)
        {
            Method = method;
            Direct = direct;
        }

        /// <summary>Null for a struct created with <c>default</c>.</summary>
        public IMethodSymbol? Method { get; }

        public bool Direct { get; }

        public bool IsAbstract { get; set; }
    }

    private static ConstructorModel ChooseConstructor(INamedTypeSymbol type, List<MemberModel> members, List<SerializerDiagnosticInfo> diagnostics, Location? location, string typeName)
    {
        if (type.IsAbstract)
        {
            foreach (var member in members)
            {
                ReportUnsettable(member, diagnostics, typeName);
            }

            return new ConstructorModel(null, true) { IsAbstract = true };
        }

        var parameterless = type.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == 0 && !c.IsImplicitlyDeclared);
        var primary = FindPrimaryConstructor(type);
        IMethodSymbol? chosen = parameterless ?? primary ?? type.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == 0);
        if (chosen is null && type.TypeKind != TypeKind.Struct)
        {
            diagnostics.Add(new SerializerDiagnosticInfo(SerializerDiagnostics.NoConstructor, location, typeName));
            return new ConstructorModel(null, true);
        }

        if (chosen is not null)
        {
            for (var i = 0; i < chosen.Parameters.Length; i++)
            {
                var parameter = chosen.Parameters[i];
                var match = members.FirstOrDefault(m => m.ConstructorParameter < 0
                    && string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(m.Type, parameter.Type));
                if (match is not null)
                {
                    match.ConstructorParameter = i;
                }
            }
        }

        foreach (var member in members)
        {
            if (member.ConstructorParameter < 0)
            {
                ReportUnsettable(member, diagnostics, typeName);
            }
        }

        return new ConstructorModel(chosen, chosen is null || IsAccessible(chosen.DeclaredAccessibility));
    }

    private static void ReportUnsettable(MemberModel member, List<SerializerDiagnosticInfo> diagnostics, string typeName)
    {
        if (member.Set == AccessKind.None && member.Get != AccessKind.None)
        {
            diagnostics.Add(new SerializerDiagnosticInfo(
                SerializerDiagnostics.MemberNotAccessible,
                member.Symbol.Locations.FirstOrDefault(),
                member.Name,
                typeName,
                "set",
                "add a setter or init accessor (any accessibility), make it an auto-property, or pass it to a constructor parameter of the same name"));
        }
    }

    private static readonly HashSet<string> s_knownTypes = new(StringComparer.Ordinal)
    {
        "System.Guid", "System.DateTime", "System.DateTimeOffset", "System.TimeSpan", "System.DateOnly", "System.TimeOnly",
        "System.Uri", "System.Version", "System.Numerics.BigInteger",
        "System.Nullable<T>", "System.Collections.Generic.List<T>", "System.Collections.Generic.IList<T>",
        "System.Collections.Generic.IReadOnlyList<T>", "System.Collections.Generic.ICollection<T>",
        "System.Collections.Generic.IReadOnlyCollection<T>", "System.Collections.Generic.IEnumerable<T>",
        "System.Collections.Generic.HashSet<T>", "System.Collections.Generic.ISet<T>", "System.Collections.Generic.IReadOnlySet<T>",
        "System.Collections.Immutable.ImmutableArray<T>",
        "System.Collections.Generic.Dictionary<TKey, TValue>", "System.Collections.Generic.IDictionary<TKey, TValue>",
        "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>", "System.Collections.Generic.SortedDictionary<TKey, TValue>",
        "System.Collections.Generic.KeyValuePair<TKey, TValue>",
        "(T1, T2)", "(T1, T2, T3)", "(T1, T2, T3, T4)",
        "System.Tuple<T1, T2>", "System.Tuple<T1, T2, T3>", "System.Tuple<T1, T2, T3, T4>",
    };

    private static bool IsSupported(ITypeSymbol type, int depth)
    {
        if (depth > 16)
        {
            return true;
        }

        switch (type)
        {
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol or IDynamicTypeSymbol or IErrorTypeSymbol:
                return false;
            case ITypeParameterSymbol:
                return true;
            case IArrayTypeSymbol array:
                return array.Rank == 1 && IsSupported(array.ElementType, depth + 1);
        }

        if (type is not INamedTypeSymbol named || named.TypeKind == TypeKind.Delegate || named.IsRefLikeType)
        {
            return false;
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        switch (named.SpecialType)
        {
            case SpecialType.System_Object:
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Decimal:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_String:
            case SpecialType.System_DateTime:
                return true;
        }

        var definition = named.OriginalDefinition;
        var definitionName = definition.ToDisplayString();
        if (definitionName is "System.ReadOnlyMemory<T>" or "System.Memory<T>")
        {
            return named.TypeArguments[0].SpecialType == SpecialType.System_Byte;
        }

        if (SymbolNames.HasAttribute(definition, SerializerGenerator.GenerateSerializerAttributeName) || s_knownTypes.Contains(definitionName))
        {
            return named.TypeArguments.All(a => IsSupported(a, depth + 1));
        }

        for (INamedTypeSymbol? current = named; current is not null; current = current.BaseType)
        {
            if (current.Name == "Exception" && current.ContainingNamespace?.ToDisplayString() == "System")
            {
                return true;
            }
        }

        // Interfaces and abstract classes travel polymorphically (the runtime type must be serializable).
        return named.TypeKind == TypeKind.Interface || named.IsAbstract;
    }

    // ---------------- emission ----------------

    private static string SanitizedName(INamedTypeSymbol type)
    {
        var builder = new StringBuilder();
        foreach (var c in type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None)).Replace("global::", string.Empty))
        {
            builder.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        var arity = AllTypeParameters(type).Count;
        if (arity > 0)
        {
            builder.Append('_').Append(arity);
        }

        return builder.ToString();
    }

    private static List<ITypeParameterSymbol> AllTypeParameters(INamedTypeSymbol type)
    {
        var result = new List<ITypeParameterSymbol>();
        foreach (var container in SymbolNames.ContainingChain(type))
        {
            result.AddRange(container.TypeParameters);
        }

        return result;
    }

    private static string OpenTypeOf(INamedTypeSymbol type)
    {
        var builder = new StringBuilder("global::");
        var ns = type.ContainingNamespace;
        if (ns is not null && !ns.IsGlobalNamespace)
        {
            builder.Append(ns.ToDisplayString()).Append('.');
        }

        var first = true;
        foreach (var container in SymbolNames.ContainingChain(type))
        {
            if (!first)
            {
                builder.Append('.');
            }

            first = false;
            builder.Append(container.Name);
            if (container.Arity > 0)
            {
                builder.Append('<').Append(',', container.Arity - 1).Append('>');
            }
        }

        return builder.ToString();
    }

    private static string CodecClassName(INamedTypeSymbol type) => "Codec_" + SanitizedName(type);

    private static string Registration(INamedTypeSymbol type)
    {
        var builder = new StringBuilder();
        var codecName = CodecClassName(type);
        var parameters = AllTypeParameters(type);
        string typeOf;
        if (parameters.Count == 0)
        {
            var display = SymbolNames.Display(type);
            builder.Append("            ").Append(Ns).Append("CodecRegistry.Register<").Append(display).Append(">(new ").Append(codecName).AppendLine("());");
            typeOf = $"typeof({display})";
        }
        else
        {
            typeOf = $"typeof({OpenTypeOf(type)})";
            builder.Append("            ").Append(Ns).Append("CodecRegistry.RegisterGeneric(").Append(typeOf)
                .Append(", typeof(").Append(codecName).Append('<').Append(',', parameters.Count - 1).AppendLine(">));");
        }

        var alias = SymbolNames.GetAttribute(type, AliasAttributeName);
        if (alias is not null && alias.ConstructorArguments.Length == 1 && alias.ConstructorArguments[0].Value is string aliasName)
        {
            builder.Append("            ").Append(Ns).Append("CodecRegistry.RegisterAlias(").Append(typeOf).Append(", ")
                .Append(SymbolDisplay.FormatLiteral(aliasName, quote: true)).AppendLine(");");
        }

        return builder.ToString();
    }

    private static string Constraints(List<ITypeParameterSymbol> parameters)
    {
        var builder = new StringBuilder();
        foreach (var parameter in parameters)
        {
            var parts = new List<string>();
            if (parameter.HasUnmanagedTypeConstraint)
            {
                parts.Add("unmanaged");
            }
            else if (parameter.HasValueTypeConstraint)
            {
                parts.Add("struct");
            }
            else if (parameter.HasReferenceTypeConstraint)
            {
                parts.Add("class");
            }
            else if (parameter.HasNotNullConstraint)
            {
                parts.Add("notnull");
            }

            parts.AddRange(parameter.ConstraintTypes.Select(SymbolNames.Display));
            if (parameter.HasConstructorConstraint && !parameter.HasValueTypeConstraint)
            {
                parts.Add("new()");
            }

            if (parts.Count > 0)
            {
                builder.Append("        where ").Append(parameter.Name).Append(" : ").Append(string.Join(", ", parts)).AppendLine();
            }
        }

        return builder.ToString();
    }

    private static string Emit(INamedTypeSymbol type, List<MemberModel> members, ConstructorModel constructor)
    {
        var t = SymbolNames.Display(type);
        var isClass = type.TypeKind == TypeKind.Class;
        var isSealed = !isClass || type.IsSealed;
        var parameters = AllTypeParameters(type);
        var className = CodecClassName(type) + (parameters.Count > 0 ? "<" + string.Join(", ", parameters.Select(p => p.Name)) + ">" : string.Empty);
        var baseType = isClass && type.BaseType is { } b && SymbolNames.HasAttribute(b.OriginalDefinition, SerializerGenerator.GenerateSerializerAttributeName) ? b : null;
        var self = isClass ? "value" : "ref value";
        var sb = new StringBuilder();

        sb.AppendLine("// <auto-generated/>");
        sb.AppendLine("#nullable disable");
        sb.AppendLine("#pragma warning disable");
        sb.AppendLine("namespace OrleansCompute.Serialization.Generated");
        sb.AppendLine("{");
        sb.AppendLine("    [global::System.CodeDom.Compiler.GeneratedCode(\"OrleansCompute.CodeGenerator\", \"1.0\")]");
        sb.Append("    internal sealed class ").Append(className).Append(" : ").Append(Ns).Append("IFieldCodec<").Append(t).Append('>');
        if (isClass)
        {
            sb.Append(", ").Append(Ns).Append("IMemberCodec<").Append(t).Append('>');
        }

        sb.AppendLine();
        sb.Append(Constraints(parameters));
        sb.AppendLine("    {");

        // WriteField
        sb.Append("        public void WriteField(ref ").Append(Ns).Append("Writer writer, uint fieldId, ").Append(t).AppendLine(" value)");
        sb.AppendLine("        {");
        if (isClass)
        {
            sb.AppendLine("            if (value is null) { writer.WriteNull(fieldId); return; }");
            if (!isSealed)
            {
                sb.Append("            if (value.GetType() != typeof(").Append(t).Append(")) { ").Append(Ns).AppendLine("PolymorphicCodec.WriteField(ref writer, fieldId, value); return; }");
            }
        }

        sb.AppendLine("            writer.WriteStartObject(fieldId);");
        sb.Append("            WriteMembersCore(ref writer, ").Append(self).AppendLine(");");
        sb.AppendLine("            writer.WriteEndObject();");
        sb.AppendLine("        }");
        sb.AppendLine();

        // WriteMembersCore
        sb.Append("        private static void WriteMembersCore(ref ").Append(Ns).Append("Writer writer, ").Append(isClass ? string.Empty : "ref ").Append(t).AppendLine(" value)");
        sb.AppendLine("        {");
        if (baseType is not null)
        {
            sb.Append("            writer.WriteStartObject(").Append(Ns).AppendLine("CodecRegistry.BaseMembersFieldId);");
            sb.Append("            ").Append(Ns).Append("MemberCodec<").Append(SymbolNames.Display(baseType)).AppendLine(">.Instance.WriteMembers(ref writer, value);");
            sb.AppendLine("            writer.WriteEndObject();");
        }

        foreach (var member in members)
        {
            var read = member.Get switch
            {
                AccessKind.Direct => "value." + Escape(member.Name),
                AccessKind.FieldAccessor => $"F{member.Index}({self})",
                _ => $"G{member.Index}({self})",
            };
            sb.Append("            ").Append(WriteCall(member, read)).AppendLine(";");
        }

        sb.AppendLine("        }");
        sb.AppendLine();

        // ReadValue
        sb.Append("        public ").Append(t).Append(" ReadValue(ref ").Append(Ns).Append("Reader reader, ").Append(Ns).AppendLine("Field field)");
        sb.AppendLine("        {");
        if (isClass)
        {
            sb.Append("            if (field.WireType == ").Append(Ns).AppendLine("WireType.Null) return null;");
        }

        sb.Append("            if (field.WireType == ").Append(Ns).Append("WireType.TypedObject) return ").Append(Ns).Append("PolymorphicCodec.ReadValue<").Append(t).AppendLine(">(ref reader, field);");
        sb.AppendLine("            reader.EnterObject(field);");
        if (constructor.IsAbstract)
        {
            sb.Append("            throw new ").Append(Ns).Append("SerializerException(\"Cannot deserialize abstract type '").Append(type.ToDisplayString().Replace("\"", "\\\"")).AppendLine("' without a type marker.\");");
        }
        else
        {
            EmitReadBody(sb, members, baseType, t, isClass, constructor, existingInstance: false);
            sb.AppendLine("            return value;");
        }

        sb.AppendLine("        }");

        if (isClass)
        {
            sb.AppendLine();
            sb.Append("        public void WriteMembers(ref ").Append(Ns).Append("Writer writer, ").Append(t).AppendLine(" value) => WriteMembersCore(ref writer, value);");
            sb.AppendLine();
            sb.Append("        public void ReadMembers(ref ").Append(Ns).Append("Reader reader, ").Append(t).AppendLine(" value)");
            sb.AppendLine("        {");
            EmitReadBody(sb, members, baseType, t, isClass, constructor, existingInstance: true);
            sb.AppendLine("        }");
        }

        EmitAccessors(sb, type, members, constructor, t, isClass);
        sb.AppendLine("    }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static void EmitReadBody(StringBuilder sb, List<MemberModel> members, INamedTypeSymbol? baseType, string t, bool isClass, ConstructorModel constructor, bool existingInstance)
    {
        var parameters = constructor.Method?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        foreach (var member in members)
        {
            var initial = "default";
            if (!existingInstance && member.ConstructorParameter >= 0)
            {
                initial = DefaultValue(parameters[member.ConstructorParameter]);
            }

            sb.Append("            ").Append(SymbolNames.Display(member.Type)).Append(" m").Append(member.Index).Append(" = ").Append(initial).AppendLine(";");
            sb.Append("            bool h").Append(member.Index).AppendLine(" = false;");
        }

        if (baseType is not null)
        {
            sb.Append("            ").Append(Ns).AppendLine("Reader baseReader = default;");
            sb.Append("            ").Append(Ns).AppendLine("Field baseField = default;");
            sb.AppendLine("            bool hasBase = false;");
        }

        sb.AppendLine("            while (reader.TryReadField(out var f))");
        sb.AppendLine("            {");
        sb.AppendLine("                switch (f.Id)");
        sb.AppendLine("                {");
        foreach (var member in members)
        {
            sb.Append("                    case ").Append(member.Id.ToString(CultureInfo.InvariantCulture)).Append("u: m").Append(member.Index).Append(" = ")
                .Append(ReadCall(member)).Append("; h").Append(member.Index).AppendLine(" = true; break;");
        }

        if (baseType is not null)
        {
            sb.Append("                    case ").Append(Ns).AppendLine("CodecRegistry.BaseMembersFieldId: baseReader = reader; baseField = f; hasBase = true; reader.SkipField(f); break;");
        }

        sb.AppendLine("                    default: reader.SkipField(f); break;");
        sb.AppendLine("                }");
        sb.AppendLine("            }");

        if (!existingInstance)
        {
            if (constructor.Method is null)
            {
                sb.Append("            var value = new ").Append(t).AppendLine("();");
            }
            else
            {
                var args = new List<string>();
                for (var i = 0; i < parameters.Length; i++)
                {
                    var match = members.FirstOrDefault(m => m.ConstructorParameter == i);
                    args.Add(match is not null ? "m" + match.Index : DefaultValue(parameters[i]));
                }

                sb.Append("            var value = ").Append(constructor.Direct ? "new " + t : "Create").Append('(').Append(string.Join(", ", args)).AppendLine(");");
            }
        }

        if (baseType is not null)
        {
            sb.AppendLine("            if (hasBase)");
            sb.AppendLine("            {");
            sb.AppendLine("                baseReader.EnterObject(baseField);");
            sb.Append("                ").Append(Ns).Append("MemberCodec<").Append(SymbolNames.Display(baseType)).AppendLine(">.Instance.ReadMembers(ref baseReader, value);");
            sb.AppendLine("            }");
        }

        var self = isClass ? "value" : "ref value";
        foreach (var member in members)
        {
            if (!existingInstance && member.ConstructorParameter >= 0)
            {
                continue;
            }

            var local = "m" + member.Index;
            string? assignment = member.Set switch
            {
                AccessKind.Direct => $"value.{Escape(member.Name)} = {local}",
                AccessKind.FieldAccessor => $"F{member.Index}({self}) = {local}",
                AccessKind.MethodAccessor => $"S{member.Index}({self}, {local})",
                _ => null,
            };
            if (assignment is not null)
            {
                sb.Append("            if (h").Append(member.Index).Append(") ").Append(assignment).AppendLine(";");
            }
        }
    }

    private static void EmitAccessors(StringBuilder sb, INamedTypeSymbol type, List<MemberModel> members, ConstructorModel constructor, string t, bool isClass)
    {
        const string Attribute = "[global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.";
        var target = isClass ? t + " obj" : "ref " + t + " obj";
        foreach (var member in members)
        {
            var memberType = SymbolNames.Display(member.Type);
            if (member.Get == AccessKind.FieldAccessor || member.Set == AccessKind.FieldAccessor)
            {
                sb.AppendLine();
                sb.Append("        ").Append(Attribute).Append("Field, Name = ").Append(SymbolDisplay.FormatLiteral(member.AccessorFieldName!, quote: true)).AppendLine(")]");
                sb.Append("        private static extern ref ").Append(memberType).Append(" F").Append(member.Index).Append('(').Append(target).AppendLine(");");
            }

            if (member.Get == AccessKind.MethodAccessor)
            {
                sb.AppendLine();
                sb.Append("        ").Append(Attribute).Append("Method, Name = \"get_").Append(member.Name).AppendLine("\")]");
                sb.Append("        private static extern ").Append(memberType).Append(" G").Append(member.Index).Append('(').Append(target).AppendLine(");");
            }

            if (member.Set == AccessKind.MethodAccessor)
            {
                sb.AppendLine();
                sb.Append("        ").Append(Attribute).Append("Method, Name = \"set_").Append(member.Name).AppendLine("\")]");
                sb.Append("        private static extern void S").Append(member.Index).Append('(').Append(target).Append(", ").Append(memberType).AppendLine(" value);");
            }
        }

        if (constructor.Method is not null && !constructor.Direct)
        {
            sb.AppendLine();
            sb.Append("        ").Append(Attribute).AppendLine("Constructor)]");
            sb.Append("        private static extern ").Append(t).Append(" Create(")
                .Append(string.Join(", ", constructor.Method.Parameters.Select(p => RefKindPrefix(p) + SymbolNames.Display(p.Type) + " " + Escape(p.Name))))
                .AppendLine(");");
        }
    }

    private static string RefKindPrefix(IParameterSymbol parameter) => parameter.RefKind switch
    {
        RefKind.Ref => "ref ",
        RefKind.Out => "out ",
        RefKind.In => "in ",
        _ => string.Empty,
    };

    private static string DefaultValue(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue || parameter.ExplicitDefaultValue is null)
        {
            return "default";
        }

        var literal = SymbolDisplay.FormatPrimitive(parameter.ExplicitDefaultValue, true, false);
        if (parameter.ExplicitDefaultValue is float)
        {
            literal += "f";
        }
        else if (parameter.ExplicitDefaultValue is decimal)
        {
            literal += "m";
        }
        else if (parameter.ExplicitDefaultValue is long)
        {
            literal += "L";
        }
        else if (parameter.ExplicitDefaultValue is ulong)
        {
            literal += "UL";
        }
        else if (parameter.ExplicitDefaultValue is uint)
        {
            literal += "U";
        }

        return "(" + SymbolNames.Display(parameter.Type) + ")(" + literal + ")";
    }

    private static string WriteCall(MemberModel member, string read)
    {
        var id = member.Id.ToString(CultureInfo.InvariantCulture) + "u";
        return member.Type.SpecialType switch
        {
            SpecialType.System_Int32 => $"writer.WriteInt32({id}, {read})",
            SpecialType.System_Int64 => $"writer.WriteInt64({id}, {read})",
            SpecialType.System_UInt32 => $"writer.WriteUInt32({id}, {read})",
            SpecialType.System_UInt64 => $"writer.WriteUInt64({id}, {read})",
            SpecialType.System_Boolean => $"writer.WriteBoolean({id}, {read})",
            SpecialType.System_Double => $"writer.WriteDouble({id}, {read})",
            SpecialType.System_Single => $"writer.WriteSingle({id}, {read})",
            SpecialType.System_String => $"writer.WriteString({id}, {read})",
            _ => $"{Ns}Codec<{SymbolNames.Display(member.Type)}>.Instance.WriteField(ref writer, {id}, {read})",
        };
    }

    private static string ReadCall(MemberModel member) => member.Type.SpecialType switch
    {
        SpecialType.System_Int32 => "reader.ReadInt32(f)",
        SpecialType.System_Int64 => "reader.ReadInt64(f)",
        SpecialType.System_UInt32 => "reader.ReadUInt32(f)",
        SpecialType.System_UInt64 => "reader.ReadUInt64(f)",
        SpecialType.System_Boolean => "reader.ReadBoolean(f)",
        SpecialType.System_Double => "reader.ReadDouble(f)",
        SpecialType.System_Single => "reader.ReadSingle(f)",
        SpecialType.System_String => "reader.ReadString(f)",
        _ => $"{Ns}Codec<{SymbolNames.Display(member.Type)}>.Instance.ReadValue(ref reader, f)",
    };

    private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Describe(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => accessibility.ToString().ToLowerInvariant(),
    };
}
