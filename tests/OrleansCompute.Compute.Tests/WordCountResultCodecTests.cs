using OrleansCompute.Grains.Compute;
using Orleans.Serialization;
using OrleansCompute.Compute.Tests.Support;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Word count results travel with their words packed in one byte string (Orleans surrogate + converter): every word
/// (any Unicode, the empty word, long words, large counts) and the order survive, and corrupt packed words are refused.
/// </summary>
public sealed class WordCountResultCodecTests
{
    [Fact]
    public void Every_word_count_and_the_order_survive_the_packed_form()
    {
        var words = new List<WordFrequency>
        {
            new() { Word = "the", Count = 1L << 40 },
            new() { Word = "", Count = 1 },
            new() { Word = "naïve", Count = 127 },
            new() { Word = "don’t", Count = 128 },
            new() { Word = "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", Count = 16_384 },
            new() { Word = new string('x', 300), Count = 2 },
            new() { Word = "東京", Count = 3 },
        };
        var result = new WordCountResult { Words = words, TotalWords = 5_727_129, DistinctWords = 221_276 };

        var copy = (WordCountResult)Wire.Deserialize<object>(Wire.Serialize<object>(result));

        Assert.Equal(5_727_129, copy.TotalWords);
        Assert.Equal(221_276, copy.DistinctWords);
        Assert.Equal(words.Select(w => (w.Word, w.Count)), copy.Words.Select(w => (w.Word, w.Count)));
        Assert.Empty(((WordCountResult)Wire.Deserialize<object>(Wire.Serialize<object>(new WordCountResult()))).Words);
    }

    [Theory]
    [InlineData(new byte[] { 5, (byte)'a', (byte)'b' })]          // a word longer than what is left
    [InlineData(new byte[] { 1, (byte)'a', 0x80 })]               // a count cut inside its varint
    public void A_corrupt_packed_result_is_refused_not_misread(byte[] packed)
    {
        // The wire form of a result is its surrogate's: corrupt packed words in it must fail the read.
        var bytes = Wire.Serialize(new WordCountResultSurrogate { TotalWords = 1, DistinctWords = 1, Count = 1, Packed = packed });

        Assert.Throws<SerializerException>(() => Wire.Deserialize<WordCountResult>(bytes));
    }
}
