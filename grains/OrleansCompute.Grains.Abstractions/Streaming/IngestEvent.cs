using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>One event: a key, named numeric values and when it happened.</summary>
[GenerateSerializer, Immutable]
public sealed class IngestEvent
{
    /// <summary>
    /// Largest magnitude of a value: 1e288. A key's sum adds up at most <see cref="long.MaxValue"/> (≈ 9.2e18) values, so sums
    /// stay below 9.3e306, well inside <see cref="double.MaxValue"/> (≈ 1.8e308): no sum can overflow to infinity.
    /// Larger values are refused at ingest, naming the event.
    /// </summary>
    public const double MaxAbsValue = 1e288;

    [Id(0)]
    public string Key { get; set; } = "";

    [Id(1)]
    public Dictionary<string, double> Values { get; set; } = [];

    [Id(2)]
    public DateTimeOffset Timestamp { get; set; }
}
