namespace OrleansCompute.Grains.Compute;

/// <summary>Result of word count: words by count descending, ties by word ascending (ordinal); cut to K with top-k.</summary>
[GenerateSerializer]
public sealed class WordCountResult
{
    [Id(0)]
    public List<WordFrequency> Words { get; set; } = [];

    /// <summary>All words counted (before any top-k cut).</summary>
    [Id(1)]
    public long TotalWords { get; set; }

    /// <summary>Distinct words (before any top-k cut).</summary>
    [Id(2)]
    public long DistinctWords { get; set; }
}
