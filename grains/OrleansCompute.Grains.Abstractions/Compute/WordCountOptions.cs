using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>
/// Options of the <c>word-count</c> kind. A word is a maximal run of word runes: Unicode letters (L*),
/// marks (M*) and decimal digits (Nd). With <see cref="JoinApostrophes"/> an apostrophe (U+0027 or U+2019)
/// that has a word rune on both sides belongs to the word (<c>don't</c>); any other apostrophe separates.
/// Everything else, including invalid UTF-8, separates words.
/// </summary>
[GenerateSerializer]
public sealed class WordCountOptions
{
    /// <summary>Default <see cref="CaseFolding.Lower"/>.</summary>
    [Id(0)]
    public CaseFolding CaseFolding { get; set; } = CaseFolding.Lower;

    /// <summary>Default <c>true</c>.</summary>
    [Id(1)]
    public bool JoinApostrophes { get; set; } = true;
}
