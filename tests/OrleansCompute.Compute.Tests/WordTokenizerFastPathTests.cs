using System.Text;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Kinds;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// The vectorized word counting (64-byte chunks, ASCII words folded in registers) counts exactly the words the
/// UTF-16 tokenizer finds, under every option: on random text built to hit its edges — words across chunk
/// boundaries and longer than a chunk, words of 15–17 bytes around the inline limit, apostrophes (joined or not,
/// at word ends, doubled), U+2019, non-ASCII letters and marks, 4-byte runes, invalid and truncated UTF-8, text that
/// ends inside a word.
/// </summary>
public sealed class WordTokenizerFastPathTests
{
    private static readonly string[] s_pieces =
    [
        "a", "Z", "q", "7", "0", "Word", "WORD", "word", "don't", "o'", "'s", "''", "'", "rock\u2019n\u2019roll", "\u2019",
        "caf\u00e9", "\u00c9T\u00c9", "na\u0131ve", "e\u0301", "\U0001D518\U0001D52B", "\u6771\u4eac", "\u00df",
        "abcdefghijklmno", "ABCDEFGHIJKLMNOP", "abcdefghijklmnopq", "x1y2z3", new string('m', 70), new string('N', 130),
        " ", " ", " ", "  ", ",", ".", "-", "\n", "\r\n", "\t", "_", "@", "[", "`", "{", "\u00a0", "\u2014",
    ];

    private static readonly byte[][] s_invalid = [[0xFF], [0x80], [0xC3], [0xE2, 0x80], [0xF0, 0x9D, 0x94]];

    [Theory]
    [InlineData(1, CaseFolding.Lower, true)]
    [InlineData(2, CaseFolding.Lower, false)]
    [InlineData(3, CaseFolding.None, true)]
    [InlineData(4, CaseFolding.None, false)]
    public void Vectorized_counts_equal_the_utf16_tokenizer_on_text_built_to_hit_its_edges(int seed, CaseFolding folding, bool join)
    {
        var options = new WordCountOptions { CaseFolding = folding, JoinApostrophes = join };
        var tokenizer = new WordTokenizer(options);
        var rng = new Random(seed);
        for (var sample = 0; sample < 60; sample++)
        {
            var text = Text(rng, rng.Next(0, 3000));
            var counts = new Utf8CountTable(rng.Next(0, 64));
            var buffer = new byte[4];
            tokenizer.CountUtf8(text, ref buffer, counts);

            Assert.Equal(Reference(tokenizer, text), Contents(counts));
        }
    }

    private static byte[] Text(Random rng, int pieces)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < pieces; i++)
        {
            if (rng.Next(40) == 0)
            {
                bytes.AddRange(s_invalid[rng.Next(s_invalid.Length)]);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s_pieces[rng.Next(s_pieces.Length)]));
            }
        }

        return [.. bytes];
    }

    private static Dictionary<string, long> Reference(WordTokenizer tokenizer, byte[] text)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var buffer = new char[8];
        tokenizer.Tokenize(text, ref buffer, counts, static (c, word) =>
        {
            var key = word.ToString();
            c[key] = c.GetValueOrDefault(key) + 1;
        });
        return counts;
    }

    private static Dictionary<string, long> Contents(Utf8CountTable table)
    {
        var contents = new Dictionary<string, long>(StringComparer.Ordinal);
        Span<byte> scratch = stackalloc byte[16];
        for (var i = 0; i < table.SlotCount; i++)
        {
            if (table.TryGetEntry(i, scratch, out var key, out var count))
            {
                contents.Add(Encoding.UTF8.GetString(key), count);
            }
        }

        return contents;
    }
}
