namespace OrleansCompute.Runtime;

/// <summary>
/// Sets a grain class's grain type name. By default it is the class name, lowercased, without a
/// trailing <c>Grain</c> (<c>CounterGrain</c> → <c>counter</c>), as in Orleans.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string grainType) : Attribute
{
    public string GrainType { get; } = grainType;
}
