using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>One event: a key, named numeric values and when it happened.</summary>
[GenerateSerializer, Immutable]
public sealed class IngestEvent
{
    [Id(0)]
    public string Key { get; set; } = "";

    [Id(1)]
    public Dictionary<string, double> Values { get; set; } = [];

    [Id(2)]
    public DateTimeOffset Timestamp { get; set; }
}
