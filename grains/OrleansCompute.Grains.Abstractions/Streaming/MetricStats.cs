using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>Running statistics of one named value: count, sum, min, max (mean = sum / count).</summary>
[GenerateSerializer]
public sealed class MetricStats
{
    [Id(0)]
    public long Count { get; set; }

    [Id(1)]
    public double Sum { get; set; }

    [Id(2)]
    public double Min { get; set; } = double.PositiveInfinity;

    [Id(3)]
    public double Max { get; set; } = double.NegativeInfinity;

    [System.Text.Json.Serialization.JsonIgnore]
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    public void Add(double value)
    {
        Count++;
        Sum += value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
    }

    public void Merge(MetricStats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }
}
