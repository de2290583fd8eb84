using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>A partial result: key → combined value, plus what it covers. Values are owned by the partial.</summary>
[GenerateSerializer, Immutable]
public sealed class ComputePartial<TKey, TValue> : IComputePartial
    where TKey : notnull
{
    [Id(0)]
    public string JobId { get; set; } = "";

    [Id(1)]
    public List<int> SplitIds { get; set; } = [];

    [Id(2)]
    public long Records { get; set; }

    [Id(3)]
    public BadRecordSummary BadRecords { get; set; } = new();

    [Id(4)]
    public Dictionary<TKey, TValue> Entries { get; set; } = [];

    IReadOnlyList<int> IComputePartial.SplitIds => SplitIds;

    public int KeyCount => Entries.Count;
}
