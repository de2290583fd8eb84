using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>
/// Keep only the best <see cref="K"/> rows after the merge, ordered by one aggregate. Ties are broken by
/// the key in ascending ordinal order (column by column); rows whose aggregate is missing come last.
/// </summary>
[GenerateSerializer]
public sealed class TopKOptions
{
    /// <summary>Rows to keep. Default 10.</summary>
    [Id(0)]
    public int K { get; set; } = 10;

    /// <summary>The aggregate to order by, by result name (<c>count</c>, <c>mean(delay)</c>, …). Default <c>count</c>.</summary>
    [Id(1)]
    public string OrderBy { get; set; } = "count";

    /// <summary>Largest first. Default <c>true</c>.</summary>
    [Id(2)]
    public bool Descending { get; set; } = true;
}
