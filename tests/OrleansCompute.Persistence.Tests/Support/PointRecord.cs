using Orleans;

namespace OrleansCompute.Persistence.Tests.Support;

/// <summary>A positional record: no parameterless constructor, immutable.</summary>
[GenerateSerializer]
public sealed record PointRecord([property: Id(0)] int X, [property: Id(1)] int Y, [property: Id(2)] string Label);
