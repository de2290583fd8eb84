using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using OrleansCompute.CodeGenerator.Common;

namespace OrleansCompute.CodeGenerator.Grains;

/// <summary>Turns Roslyn symbols into the generator's equatable models (and their diagnostics).</summary>
internal static class GrainModelBuilder
{
    private const string AddressableName = "OrleansCompute.IAddressable";
    private const string GrainBaseName = "OrleansCompute.Grain";

    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly HashSet<string> s_markerInterfaces = new(StringComparer.Ordinal)
    {
        "OrleansCompute.IAddressable", "OrleansCompute.IGrain", "OrleansCompute.IGrainWithStringKey",
        "OrleansCompute.IGrainWithIntegerKey", "OrleansCompute.IGrainWithGuidKey",
        "OrleansCompute.IGrainWithIntegerCompoundKey", "OrleansCompute.IGrainWithGuidCompoundKey",
    };

    public static bool IsGrainInterface(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Interface
        && !s_markerInterfaces.Contains(MetadataName(type))
        && type.AllInterfaces.Any(i => MetadataName(i) == AddressableName);

    public static bool IsGrainClass(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class || type.IsAbstract || type.IsStatic)
        {
            return false;
        }

        for (var b = type.BaseType; b is not null; b = b.BaseType)
        {
            if (MetadataName(b) == GrainBaseName)
            {
                return true;
            }
        }

        return false;
    }

    public static InterfaceModel BuildInterface(INamedTypeSymbol iface)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var canGenerate = true;
        var location = iface.Locations.FirstOrDefault();

        if (iface.IsGenericType)
        {
            diagnostics.Add(Diag(GrainDiagnostics.GenericInterface, location, iface.Name));
            canGenerate = false;
        }

        if (!IsAccessible(iface))
        {
            diagnostics.Add(Diag(GrainDiagnostics.InaccessibleGrainType, location, iface.ToDisplayString()));
            canGenerate = false;
        }

        // Report problems only on members the interface itself declares; bases report their own.
        foreach (var member in iface.GetMembers())
        {
            if (member is IPropertySymbol or IEventSymbol)
            {
                diagnostics.Add(Diag(GrainDiagnostics.NonMethodMember, member.Locations.FirstOrDefault(), iface.Name, member.Name));
                canGenerate = false;
            }
        }

        var methods = new List<MethodModel>();
        var grainInterfaces = new List<INamedTypeSymbol> { iface };
        grainInterfaces.AddRange(iface.AllInterfaces.Where(IsGrainInterface));
        foreach (var declaring in grainInterfaces)
        {
            var ordinal = 0;
            foreach (var member in declaring.GetMembers())
            {
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false, IsAbstract: true } method)
                {
                    continue;
                }

                var model = BuildMethod(declaring, method, ordinal++, SymbolEqualityComparer.Default.Equals(declaring, iface) ? diagnostics : null);
                if (model is null)
                {
                    canGenerate = false;
                }
                else
                {
                    methods.Add(model);
                }
            }
        }

        return new InterfaceModel(
            iface.ToDisplayString(s_typeFormat),
            Mangle(iface),
            methods.ToEquatableArray(),
            diagnostics.ToEquatableArray(),
            canGenerate);
    }

    private static MethodModel? BuildMethod(INamedTypeSymbol declaring, IMethodSymbol method, int ordinal, List<DiagnosticInfo>? diagnostics)
    {
        var ok = true;
        var location = method.Locations.FirstOrDefault();
        var display = $"{declaring.Name}.{method.Name}";

        if (method.IsGenericMethod)
        {
            diagnostics?.Add(Diag(GrainDiagnostics.GenericMethod, location, display));
            ok = false;
        }

        var returnType = method.ReturnType as INamedTypeSymbol;
        var kind = ClassifyReturn(returnType);
        if (kind is null)
        {
            diagnostics?.Add(Diag(GrainDiagnostics.BadReturnType, location, display, method.ReturnType.ToDisplayString()));
            ok = false;
        }

        var oneWay = HasAttribute(method, "OrleansCompute.Concurrency.OneWayAttribute");
        if (oneWay && kind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT)
        {
            diagnostics?.Add(Diag(GrainDiagnostics.OneWayWithResult, location, display, method.ReturnType.ToDisplayString()));
            ok = false;
        }

        var parameters = new List<ParameterModel>();
        var cancellationIndex = -1;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var p = method.Parameters[i];
            if (p.RefKind != RefKind.None)
            {
                diagnostics?.Add(Diag(GrainDiagnostics.ByRefParameter, p.Locations.FirstOrDefault() ?? location, p.Name, display));
                ok = false;
            }

            if (MetadataName(p.Type) == "System.Threading.CancellationToken")
            {
                if (i != method.Parameters.Length - 1)
                {
                    diagnostics?.Add(Diag(GrainDiagnostics.CancellationTokenNotLast, location, display));
                    ok = false;
                }

                cancellationIndex = i;
            }

            parameters.Add(new ParameterModel(p.Name, p.Type.ToDisplayString(s_typeFormat)));
        }

        if (!ok || kind is null)
        {
            return null;
        }

        var resultType = kind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT
            ? returnType!.TypeArguments[0].ToDisplayString(s_typeFormat)
            : "global::OrleansCompute.Invocation.VoidResult";

        string? timeout = null;
        var timeoutAttribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && MetadataName(c) == "OrleansCompute.ResponseTimeoutAttribute");
        if (timeoutAttribute is { ConstructorArguments.Length: 1 } && timeoutAttribute.ConstructorArguments[0].Value is string timeoutText)
        {
            timeout = timeoutText;
        }

        return new MethodModel(
            declaring.ToDisplayString(s_typeFormat),
            Mangle(declaring),
            method.Name,
            ordinal,
            method.ReturnType.ToDisplayString(s_typeFormat),
            kind.Value,
            resultType,
            parameters.ToEquatableArray(),
            oneWay,
            HasAttribute(method, "OrleansCompute.Concurrency.AlwaysInterleaveAttribute"),
            timeout,
            cancellationIndex);
    }

    public static GrainClassModel BuildClass(INamedTypeSymbol type)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var location = type.Locations.FirstOrDefault();
        var canGenerate = true;

        if (type.IsGenericType)
        {
            diagnostics.Add(Diag(GrainDiagnostics.GenericGrainClass, location, type.Name));
            canGenerate = false;
        }

        if (!IsAccessible(type))
        {
            diagnostics.Add(Diag(GrainDiagnostics.InaccessibleGrainType, location, type.ToDisplayString()));
            canGenerate = false;
        }

        var constructors = type.InstanceConstructors
            .Where(c => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal)
            .ToList();
        IMethodSymbol? constructor = constructors.Count switch
        {
            0 => null,
            1 => constructors[0],
            _ => constructors.FirstOrDefault(c => c.GetAttributes().Any(a => a.AttributeClass?.Name == "ActivatorUtilitiesConstructorAttribute"))
                 ?? constructors.OrderByDescending(c => c.Parameters.Length).First(),
        };

        var arguments = new List<ConstructorArgumentModel>();
        if (constructor is null)
        {
            diagnostics.Add(Diag(GrainDiagnostics.NoConstructor, location, type.Name));
            canGenerate = false;
        }
        else
        {
            foreach (var p in constructor.Parameters)
            {
                var typeName = p.Type.ToDisplayString(s_typeFormat);
                var stateAttribute = p.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && MetadataName(c) == "OrleansCompute.Runtime.PersistentStateAttribute");
                if (stateAttribute is not null)
                {
                    if (p.Type is INamedTypeSymbol { IsGenericType: true } named
                        && MetadataName(named.ConstructedFrom) == "OrleansCompute.Runtime.IPersistentState`1")
                    {
                        var stateName = stateAttribute.ConstructorArguments.Length > 0 ? stateAttribute.ConstructorArguments[0].Value as string : null;
                        var storageName = stateAttribute.ConstructorArguments.Length > 1 ? stateAttribute.ConstructorArguments[1].Value as string : null;
                        arguments.Add(new ConstructorArgumentModel(ConstructorArgumentKind.PersistentState,
                            named.TypeArguments[0].ToDisplayString(s_typeFormat), stateName ?? p.Name, storageName));
                    }
                    else
                    {
                        diagnostics.Add(Diag(GrainDiagnostics.BadPersistentStateParameter, p.Locations.FirstOrDefault() ?? location, p.Name, type.Name, p.Type.ToDisplayString()));
                        canGenerate = false;
                    }

                    continue;
                }

                var kind = MetadataName(p.Type) switch
                {
                    "OrleansCompute.Runtime.IGrainContext" => ConstructorArgumentKind.GrainContext,
                    "OrleansCompute.IGrainFactory" => ConstructorArgumentKind.GrainFactory,
                    "System.IServiceProvider" => ConstructorArgumentKind.ServiceProvider,
                    _ => p.HasExplicitDefaultValue || p.NullableAnnotation == NullableAnnotation.Annotated
                        ? ConstructorArgumentKind.OptionalService
                        : ConstructorArgumentKind.Service,
                };
                arguments.Add(new ConstructorArgumentModel(kind, typeName.TrimEnd('?'), null, null));
            }
        }

        var grainType = type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && MetadataName(c) == "OrleansCompute.Runtime.GrainTypeAttribute")
            .Select(a => a.ConstructorArguments.Length == 1 ? a.ConstructorArguments[0].Value as string : null)
            .FirstOrDefault() ?? DefaultGrainType(type.Name);

        var interfaces = type.AllInterfaces.Where(IsGrainInterface).Select(i => i.ToDisplayString(s_typeFormat)).ToEquatableArray();
        return new GrainClassModel(type.ToDisplayString(s_typeFormat), grainType, interfaces, arguments.ToEquatableArray(),
            diagnostics.ToEquatableArray(), canGenerate);
    }

    /// <summary>Orleans's convention: <c>CounterGrain</c> → <c>counter</c>.</summary>
    public static string DefaultGrainType(string className)
    {
        var name = className.EndsWith("Grain", StringComparison.Ordinal) && className.Length > "Grain".Length
            ? className.Substring(0, className.Length - "Grain".Length)
            : className;
        return name.ToLowerInvariant();
    }

    private static ReturnKind? ClassifyReturn(INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        return MetadataName(type.IsGenericType ? type.ConstructedFrom : type) switch
        {
            "System.Threading.Tasks.Task" => ReturnKind.Task,
            "System.Threading.Tasks.Task`1" => ReturnKind.TaskOfT,
            "System.Threading.Tasks.ValueTask" => ReturnKind.ValueTask,
            "System.Threading.Tasks.ValueTask`1" => ReturnKind.ValueTaskOfT,
            _ => null,
        };
    }

    private static bool IsAccessible(INamedTypeSymbol type)
    {
        for (ISymbol? t = type; t is INamedTypeSymbol; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass is { } c && MetadataName(c) == metadataName);

    public static string MetadataName(ITypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : string.Empty;
        var containing = type.ContainingType is { } ct ? MetadataName(ct).Substring(ns.Length) + "+" : string.Empty;
        return ns + containing + type.MetadataName;
    }

    private static string Mangle(INamedTypeSymbol type)
    {
        var chars = MetadataName(type).ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsLetterOrDigit(chars[i]))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static DiagnosticInfo Diag(DiagnosticDescriptor descriptor, Location? location, params string[] args) =>
        new(descriptor, location, args.ToEquatableArray());

    internal static string FormatTicks(string timeout) =>
        TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var parsed)
            ? $"global::System.TimeSpan.FromTicks({parsed.Ticks.ToString(CultureInfo.InvariantCulture)}L)"
            : $"global::System.TimeSpan.Parse(\"{timeout}\", global::System.Globalization.CultureInfo.InvariantCulture)";
}
