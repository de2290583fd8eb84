using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>Everything known about one key: event count and per-value statistics.</summary>
/// <remarks>
/// <c>[Immutable]</c> by contract, not by shape: Orleans passes it by reference in local calls, so sending one hands it
/// over. A partition never touches an increment or a full-delta copy (<see cref="Clone"/>) once it is in a
/// <see cref="StreamDelta"/>, so the aggregator that receives it may keep and merge into it; query answers are clones.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed class KeyTotals
{
    [Id(0)]
    public long Events { get; set; }

    [Id(1)]
    public Dictionary<string, MetricStats> Values { get; set; } = [];

    public void Add(IngestEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Events++;
        foreach (var (name, value) in e.Values)
        {
            if (!Values.TryGetValue(name, out var stats))
            {
                Values[name] = stats = new MetricStats();
            }

            stats.Add(value);
        }
    }

    public void Merge(KeyTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Events += other.Events;
        foreach (var (name, stats) in other.Values)
        {
            if (!Values.TryGetValue(name, out var mine))
            {
                Values[name] = mine = new MetricStats();
            }

            mine.Merge(stats);
        }
    }

    /// <summary>A deep copy.</summary>
    public KeyTotals Clone()
    {
        var copy = new KeyTotals { Events = Events, Values = new Dictionary<string, MetricStats>(Values.Count) };
        foreach (var (name, stats) in Values)
        {
            copy.Values[name] = new MetricStats { Count = stats.Count, Sum = stats.Sum, Min = stats.Min, Max = stats.Max };
        }

        return copy;
    }
}
