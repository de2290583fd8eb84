namespace OrleansCompute.Grains.Streaming;

/// <summary>Parses a ranking metric: <c>events</c>, or <c>{value}:count|sum|min|max|mean</c>.</summary>
public static class MetricSelector
{
    public static Func<KeyTotals, double> Parse(string metric)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        if (metric == "events")
        {
            return t => t.Events;
        }

        var colon = metric.LastIndexOf(':');
        if (colon <= 0)
        {
            throw new ArgumentException($"Unknown metric '{metric}': use 'events' or '<value>:count|sum|min|max|mean'.", nameof(metric));
        }

        var name = metric[..colon];
        Func<MetricStats, double> pick = metric[(colon + 1)..] switch
        {
            "count" => m => m.Count,
            "sum" => m => m.Sum,
            "min" => m => m.Min,
            "max" => m => m.Max,
            "mean" => m => m.Mean,
            var other => throw new ArgumentException($"Unknown aggregate '{other}' in metric '{metric}': use count, sum, min, max or mean.", nameof(metric)),
        };
        return t => t.Values.TryGetValue(name, out var stats) ? pick(stats) : double.NaN;
    }
}
