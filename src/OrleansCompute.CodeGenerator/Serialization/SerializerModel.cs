using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace OrleansCompute.CodeGenerator.Serialization;

/// <summary>A diagnostic to report, kept as plain data so pipeline results compare by value.</summary>
internal sealed class SerializerDiagnosticInfo : IEquatable<SerializerDiagnosticInfo>
{
    public SerializerDiagnosticInfo(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        Descriptor = descriptor;
        Location = location;
        Arguments = arguments;
    }

    public DiagnosticDescriptor Descriptor { get; }

    public Location? Location { get; }

    public string[] Arguments { get; }

    public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location, Arguments);

    public bool Equals(SerializerDiagnosticInfo? other) => other is not null
        && Descriptor.Id == other.Descriptor.Id
        && Equals(Location, other.Location)
        && Arguments.SequenceEqual(other.Arguments);

    public override bool Equals(object? obj) => Equals(obj as SerializerDiagnosticInfo);

    public override int GetHashCode() => Descriptor.Id.GetHashCode() ^ (Location?.GetHashCode() ?? 0);
}

/// <summary>What the generator produced for one [GenerateSerializer] type: source, registration lines, diagnostics.</summary>
internal sealed class SerializerTypeResult : IEquatable<SerializerTypeResult>
{
    public SerializerTypeResult(string hintName, string? source, string? registration, ImmutableArray<SerializerDiagnosticInfo> diagnostics)
    {
        HintName = hintName;
        Source = source;
        Registration = registration;
        Diagnostics = diagnostics;
    }

    public string HintName { get; }

    public string? Source { get; }

    public string? Registration { get; }

    public ImmutableArray<SerializerDiagnosticInfo> Diagnostics { get; }

    public bool Equals(SerializerTypeResult? other) => other is not null
        && HintName == other.HintName
        && Source == other.Source
        && Registration == other.Registration
        && Diagnostics.SequenceEqual(other.Diagnostics);

    public override bool Equals(object? obj) => Equals(obj as SerializerTypeResult);

    public override int GetHashCode() => HintName.GetHashCode();
}

/// <summary>How generated code reads or writes one member.</summary>
internal enum AccessKind
{
    None,
    Direct,
    FieldAccessor,
    MethodAccessor,
}

internal sealed class MemberModel
{
    public MemberModel(ISymbol symbol, uint id, ITypeSymbol type)
    {
        Symbol = symbol;
        Id = id;
        Type = type;
    }

    public ISymbol Symbol { get; }

    public string Name => Symbol.Name;

    public uint Id { get; }

    public ITypeSymbol Type { get; }

    public AccessKind Get { get; set; }

    public AccessKind Set { get; set; }

    /// <summary>Field name used by a field accessor (the member itself or a property's backing field).</summary>
    public string? AccessorFieldName { get; set; }

    /// <summary>Index of the constructor parameter this member is passed as, or -1.</summary>
    public int ConstructorParameter { get; set; } = -1;

    public int Index { get; set; }
}

internal static class SymbolNames
{
    public static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    public static string Display(ITypeSymbol type) => type.ToDisplayString(FullyQualified);

    public static bool HasAttribute(ISymbol symbol, string fullName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == fullName)
            {
                return true;
            }
        }

        return false;
    }

    public static AttributeData? GetAttribute(ISymbol symbol, string fullName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == fullName)
            {
                return attribute;
            }
        }

        return null;
    }

    public static IEnumerable<INamedTypeSymbol> ContainingChain(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            chain.Add(current);
        }

        chain.Reverse();
        return chain;
    }
}
