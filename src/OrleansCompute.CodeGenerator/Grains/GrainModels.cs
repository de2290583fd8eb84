using System.Linq;
using Microsoft.CodeAnalysis;
using OrleansCompute.CodeGenerator.Common;

namespace OrleansCompute.CodeGenerator.Grains;

/// <summary>A diagnostic to report, captured as data so models stay cacheable.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, Location? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location, Arguments.Items.ToArray<object>());
}

internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

internal sealed record ParameterModel(string Name, string Type);

internal sealed record MethodModel(
    string DeclaringInterface,
    string DeclaringMangledName,
    string Name,
    int Ordinal,
    string ReturnType,
    ReturnKind ReturnKind,
    string ResultType,
    EquatableArray<ParameterModel> Parameters,
    bool OneWay,
    bool AlwaysInterleave,
    string? ResponseTimeout,
    int CancellationTokenIndex)
{
    public string RequestClassName => $"{DeclaringMangledName}__{Name}_{Ordinal}_Request";

    /// <summary>Stable across versions and method reordering: interface, name and parameter types.</summary>
    public string RequestKey => $"{DeclaringInterface.Replace("global::", "")}.{Name}({string.Join(",", Parameters.Select(p => p.Type.Replace("global::", "")))})";
}

internal sealed record InterfaceModel(
    string FullName,
    string MangledName,
    EquatableArray<MethodModel> Methods,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool CanGenerate);

internal enum ConstructorArgumentKind
{
    Service,
    OptionalService,
    PersistentState,
    GrainContext,
    GrainFactory,
    ServiceProvider,
}

internal sealed record ConstructorArgumentModel(ConstructorArgumentKind Kind, string Type, string? StateName, string? StorageName);

internal sealed record GrainClassModel(
    string FullName,
    string GrainType,
    EquatableArray<string> Interfaces,
    EquatableArray<ConstructorArgumentModel> ConstructorArguments,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool CanGenerate);
