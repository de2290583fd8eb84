using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>One aggregate column of a group-by result, e.g. <c>mean(delay)</c>.</summary>
[GenerateSerializer]
public sealed class AggregateSpec
{
    [Id(0)]
    public AggregateFunction Function { get; set; }

    /// <summary>The value column; null only for <see cref="AggregateFunction.Count"/> (records per group).</summary>
    [Id(1)]
    public string? Column { get; set; }

    /// <summary>The result column name: <c>count</c>, or <c>function(column)</c> in lower case.</summary>
    public string Name => Column is null ? "count" : $"{Function.ToString().ToLowerInvariant()}({Column})";

    public static AggregateSpec Of(AggregateFunction function, string? column = null) => new() { Function = function, Column = column };
}
