using System.Buffers;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Serialization;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Word count results travel with their words packed in one byte string: every word (any Unicode, the empty word,
/// long words, large counts) and the order survive, and a result written in the earlier form (a list of word
/// objects, field 0) — as jobs completed before the packed form stored it — still reads.
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

        var copy = (WordCountResult)Serializer.Deserialize<object>(Serializer.Serialize<object>(result));

        Assert.Equal(5_727_129, copy.TotalWords);
        Assert.Equal(221_276, copy.DistinctWords);
        Assert.Equal(words.Select(w => (w.Word, w.Count)), copy.Words.Select(w => (w.Word, w.Count)));
        Assert.Empty(((WordCountResult)Serializer.Deserialize<object>(Serializer.Serialize<object>(new WordCountResult()))).Words);
    }

    [Fact]
    public void A_result_stored_in_the_earlier_list_form_still_reads()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Writer(output);
        writer.WriteStartObject(0);
        Codec<List<WordFrequency>>.Instance.WriteField(ref writer, 0, [new() { Word = "b", Count = 2 }, new() { Word = "a", Count = 1 }]);
        writer.WriteInt64(1, 3);
        writer.WriteInt64(2, 2);
        writer.WriteEndObject();
        writer.Commit();

        var read = Serializer.Deserialize<WordCountResult>(output.WrittenSpan);

        Assert.Equal([("b", 2L), ("a", 1L)], read.Words.Select(w => (w.Word, w.Count)));
        Assert.Equal(3, read.TotalWords);
        Assert.Equal(2, read.DistinctWords);
    }

    [Theory]
    [InlineData(new byte[] { 5, (byte)'a', (byte)'b' })]          // a word longer than what is left
    [InlineData(new byte[] { 1, (byte)'a', 0x80 })]               // a count cut inside its varint
    public void A_corrupt_packed_result_is_refused_not_misread(byte[] packed)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Writer(output);
        writer.WriteStartObject(0);
        writer.WriteBytes(3, packed);
        writer.WriteEndObject();
        writer.Commit();

        Assert.Throws<SerializerException>(() => Serializer.Deserialize<WordCountResult>(output.WrittenSpan));
    }
}
