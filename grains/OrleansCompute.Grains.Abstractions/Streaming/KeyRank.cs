using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>One row of a top-k answer.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyRank([property: Id(0)] string Key, [property: Id(1)] double Score, [property: Id(2)] KeyTotals Totals);
