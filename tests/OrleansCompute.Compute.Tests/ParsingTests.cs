using System.Text;
using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Kinds;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("-3")]
    [InlineData("+4")]
    [InlineData("12.5")]
    [InlineData(" 7 ")]
    [InlineData("\t8")]
    [InlineData("2e3")]
    [InlineData("1.5E-2")]
    [InlineData("-0.25")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("79228162514264337593543950336")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("1e400")]
    [InlineData("0x10")]
    public void Numbers_parse_like_invariant_decimal_parse(string text)
    {
        var expectedOk = ReferenceText.TryParseNumber(text, out var expected);
        var ok = DecimalText.TryParse(Encoding.UTF8.GetBytes(text), out var actual);
        Assert.Equal(expectedOk, ok);
        if (ok)
        {
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("Don't STOP", true, true, "don't|stop")]
    [InlineData("Don't STOP", false, false, "Don|t|STOP")]
    [InlineData("'quoted' dogs' rock'n'roll", true, true, "quoted|dogs|rock'n'roll")]
    [InlineData("it’s ÉTÉ, naïve café", true, true, "it’s|été|naïve|café")]
    [InlineData("e\u0301 x2 ٣٤ 😀smile", true, true, "e\u0301|x2|٣٤|smile")]
    [InlineData("a--b_c", true, true, "a|b|c")]
    public void Tokenization_follows_the_documented_rule(string text, bool lower, bool join, string expected)
    {
        var tokenizer = new WordTokenizer(new WordCountOptions { CaseFolding = lower ? CaseFolding.Lower : CaseFolding.None, JoinApostrophes = join });
        var words = new List<string>();
        var buffer = new char[2];
        tokenizer.Tokenize(Encoding.UTF8.GetBytes(text), ref buffer, words, static (list, word) => list.Add(word.ToString()));
        Assert.Equal(expected, string.Join("|", words));
    }

    [Fact]
    public void Records_longer_than_the_buffer_are_read_whole()
    {
        var path = Path.GetTempFileName();
        try
        {
            var longLine = new string('x', 5000);
            File.WriteAllText(path, $"short\r\n{longLine}\n\"q\nq\"\nlast");
            using var reader = new SplitRecordReader(path, 0, long.MaxValue, csvQuotes: true, bufferSize: 64);
            var records = new List<string>();
            while (reader.TryRead(out var record, out _))
            {
                records.Add(Encoding.UTF8.GetString(record));
            }

            Assert.Equal(["short", longLine, "\"q\nq\"", "last"], records);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
