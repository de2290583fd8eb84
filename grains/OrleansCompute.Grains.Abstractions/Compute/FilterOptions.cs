using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>Options of the <c>filter-count</c> kind: counts the lines that match a pattern.</summary>
[GenerateSerializer]
public sealed class FilterOptions
{
    [Id(0)]
    public string Pattern { get; set; } = "";

    /// <summary>Default <see cref="FilterMode.Substring"/>.</summary>
    [Id(1)]
    public FilterMode Mode { get; set; } = FilterMode.Substring;

    /// <summary>
    /// Case-insensitive matching, in both modes. Default <c>false</c> (the <c>ocx</c> CLI sends <c>true</c> unless
    /// <c>--case-sensitive</c>). Substring: .NET's ordinal ignore-case rule (simple, culture-invariant upper-case
    /// mapping per UTF-16 code unit: <c>é</c> = <c>É</c>, <c>ß</c> ≠ <c>ss</c>); regex: <c>RegexOptions.IgnoreCase</c>
    /// with the invariant culture.
    /// </summary>
    [Id(2)]
    public bool IgnoreCase { get; set; }

    /// <summary>Regex only: time limit for one line; a line that exceeds it is a bad record. Default 1 s.</summary>
    [Id(3)]
    public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Matching lines kept as samples (the first in file order). Default 5.</summary>
    [Id(4)]
    public int MaxSamples { get; set; } = 5;
}
