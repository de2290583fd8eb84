using Microsoft.CodeAnalysis;

namespace OrleansCompute.CodeGenerator.Serialization;

// RS2008 (release tracking) wants AnalyzerReleases.*.md wired into the shared csproj; the ids are listed
// in src/OrleansCompute.Abstractions/Serialization/README.md instead.
#pragma warning disable RS2008

/// <summary>Compile-time diagnostics of the serializer generator (OCX101..OCX1xx).</summary>
internal static class SerializerDiagnostics
{
    public const string Category = "OrleansCompute.Serialization";

    public static readonly DiagnosticDescriptor DuplicateId = new(
        "OCX101",
        "Duplicate serialization id",
        "Type '{0}' uses [Id({1})] on both '{2}' and '{3}': give every serialized member of a type its own id",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedMemberType = new(
        "OCX102",
        "Member type cannot be serialized",
        "Member '{0}' of '{1}' has type '{2}', which cannot be serialized: add [GenerateSerializer] to that type, change the member's type, or remove [Id] from the member",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoConstructor = new(
        "OCX103",
        "Serializable type cannot be constructed",
        "Type '{0}' cannot be created by the serializer: add a parameterless constructor (any accessibility) or declare it as a record with a primary constructor",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MemberNotAccessible = new(
        "OCX104",
        "Serialized member cannot be read or set",
        "Member '{0}' of '{1}' has [Id] but cannot be {2}: {3}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InaccessibleType = new(
        "OCX105",
        "Serializable type is not accessible",
        "Type '{0}' cannot get a generated serializer because {1}: make it (and every type containing it) public or internal",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ReservedId = new(
        "OCX106",
        "Reserved serialization id",
        "Member '{0}' of '{1}' uses [Id(4294967295)], which is reserved for base-class members: choose a smaller id",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
