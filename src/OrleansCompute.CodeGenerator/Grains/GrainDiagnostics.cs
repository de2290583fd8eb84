using Microsoft.CodeAnalysis;

namespace OrleansCompute.CodeGenerator.Grains;

/// <summary>Diagnostics for grain interfaces and grain classes (OCX2xx).</summary>
internal static class GrainDiagnostics
{
    private const string Category = "OrleansCompute.Grains";

    public static readonly DiagnosticDescriptor BadReturnType = new(
        "OCX201", "Grain method must return a task",
        "Grain interface method '{0}' returns '{1}': grain methods must return Task, Task<T>, ValueTask or ValueTask<T> because every call is asynchronous",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor ByRefParameter = new(
        "OCX202", "Grain method parameters cannot be ref, out or in",
        "Parameter '{0}' of grain method '{1}' is passed by reference: calls may cross processes, so pass values and return results instead",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor NonMethodMember = new(
        "OCX203", "Grain interfaces may only declare methods",
        "Grain interface '{0}' declares '{1}': properties, events and indexers are not supported on grain interfaces; use methods returning tasks",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor GenericMethod = new(
        "OCX204", "Generic grain methods are not supported",
        "Grain method '{0}' is generic: generic grain methods are not supported yet; use a non-generic method per type or a [GenerateSerializer] envelope",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor GenericInterface = new(
        "OCX205", "Generic grain interfaces are not supported",
        "Grain interface '{0}' is generic: generic grain interfaces are not supported yet; declare a non-generic interface per type argument",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor OneWayWithResult = new(
        "OCX206", "[OneWay] methods cannot return a value",
        "Grain method '{0}' is [OneWay] but returns '{1}': a one-way call has no response, so it must return Task or ValueTask",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor CancellationTokenNotLast = new(
        "OCX207", "CancellationToken must be the last parameter",
        "Grain method '{0}' has a CancellationToken that is not its last parameter: the runtime flows only a trailing CancellationToken to the grain",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor NoConstructor = new(
        "OCX208", "Grain class has no usable constructor",
        "Grain class '{0}' has no public or internal constructor the runtime can call",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor BadPersistentStateParameter = new(
        "OCX209", "[PersistentState] parameter must be IPersistentState<T>",
        "Parameter '{0}' of '{1}' has [PersistentState] but its type is '{2}': declare it as IPersistentState<TState>",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor GenericGrainClass = new(
        "OCX210", "Generic grain classes are not supported",
        "Grain class '{0}' is generic: generic grain classes are not supported yet",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor InaccessibleGrainType = new(
        "OCX211", "Grain type must be accessible to generated code",
        "'{0}' is private or nested in a private type: the generated proxy and factory cannot reach it; make it internal or public",
        Category, DiagnosticSeverity.Error, true);
}
