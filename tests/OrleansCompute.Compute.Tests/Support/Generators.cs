using System.Globalization;
using System.Text;

namespace OrleansCompute.Compute.Tests.Support;

/// <summary>Random inputs (fixed seeds) full of the cases record boundaries get wrong.</summary>
public static class Generators
{
    private static readonly string[] s_words =
    [
        "the", "The", "THE", "don't", "rock'n'roll", "dogs'", "'tis", "it’s", "o’", "café", "naïve", "Straße", "ΑΘΗΝΑ", "日本語",
        "e\u0301te", "123", "a1b2", "٣٤٥", "İstanbul", "ǅemal", "x", "I", "😀", "\u00a0", "--", "...", "'", "’", "a'", "'b", "Ünïcødé",
    ];

    private static readonly string[] s_separators = [" ", " ", " ", ", ", ". ", "\t", "\n", "\r\n", "\n\n", "\r\n\r\n", "; ", "\r", "—", "\n \n"];

    public static byte[] Text(Random rng, int words)
    {
        var builder = new List<byte>();
        for (var i = 0; i < words; i++)
        {
            builder.AddRange(Encoding.UTF8.GetBytes(s_words[rng.Next(s_words.Length)]));
            if (rng.Next(40) == 0)
            {
                builder.Add(rng.Next(2) == 0 ? (byte)0xFF : (byte)0xC3); // invalid UTF-8 separates words
            }

            builder.AddRange(Encoding.UTF8.GetBytes(s_separators[rng.Next(s_separators.Length)]));
        }

        TrimOrKeepTerminator(rng, builder);
        return [.. builder];
    }

    private static readonly string[] s_keys = ["a", "b", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nx", "", "ü", " spaced ", "日本", "\"", ",", "A"];

    private static readonly string[] s_numbers = ["1", "0", "-3", "12.5", "-0.25", "1000000", "3.14159", " 7 ", "2e3", "1.5E-2", "", "", "abc", "1.2.3", "x9"];

    /// <summary>CSV with header <c>k1,k2,v1,v2</c> (or <paramref name="delimiter"/>), quoting, CRLF, empty lines and some bad records.</summary>
    public static byte[] Csv(Random rng, int rows, char delimiter = ',', bool header = true)
    {
        var d = delimiter.ToString();
        var text = new StringBuilder();
        if (header)
        {
            text.Append(string.Join(d, "k1", "k2", "v1", "v2")).Append('\n');
        }

        for (var r = 0; r < rows; r++)
        {
            var fields = new List<string> { Quote(rng, Pick(rng, s_keys), delimiter), Quote(rng, Pick(rng, s_keys), delimiter), Quote(rng, Pick(rng, s_numbers), delimiter), Quote(rng, Pick(rng, s_numbers), delimiter) };
            switch (rng.Next(25))
            {
                case 0:
                    fields.Add("extra"); // wrong field count
                    break;
                case 1:
                    fields.RemoveAt(3);
                    break;
                case 2:
                    fields[0] = "a\"b\"c"; // quote inside an unquoted field (balanced, so framing is unaffected)
                    break;
                case 3:
                    fields[1] = "\"ab\"x"; // text after the closing quote
                    break;
                case 4:
                    fields[rng.Next(4)] = "ab\"c"; // a stray quote inside an unquoted field: a literal character
                    break;
                case 5:
                    fields[rng.Next(4)] = "\"open"; // a quote at a field start that the next quote in the file closes
                    break;
                default:
                    break;
            }

            text.Append(string.Join(d, fields));
            text.Append(rng.Next(3) == 0 ? "\r\n" : "\n");
            if (rng.Next(15) == 0)
            {
                text.Append(rng.Next(2) == 0 ? "\n" : "\r\n");
            }
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString()).ToList();
        TrimOrKeepTerminator(rng, bytes);
        return [.. bytes];
    }

    /// <summary>JSON Lines with keys k (string/number/null/missing), v and w (numbers, strings, null, missing), nesting, escapes and bad lines.</summary>
    public static byte[] JsonLines(Random rng, int rows)
    {
        var text = new StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            switch (rng.Next(30))
            {
                case 0:
                    text.Append("{\"k\": \"a\", \"v\": 1");
                    break;
                case 1:
                    text.Append("[1, 2]");
                    break;
                case 2:
                    text.Append("{\"k\": \"a\", \"v\": 1,}");
                    break;
                case 3:
                    text.Append("   ");
                    break;
                case 4:
                    text.Append("{\"k\": {\"nested\": 1}, \"v\": 2}");
                    break;
                default:
                    var props = new List<string>();
                    if (rng.Next(20) != 0)
                    {
                        props.Add("\"k\": " + JsonKey(rng));
                    }

                    if (rng.Next(10) != 0)
                    {
                        props.Add("\"v\": " + JsonValue(rng));
                    }

                    if (rng.Next(3) != 0)
                    {
                        props.Add("\"w\": " + JsonValue(rng));
                    }

                    props.Add("\"other\": {\"deep\": [1, {\"x\": \"y\"}], \"s\": \"\\n\"}");
                    Shuffle(rng, props);
                    text.Append('{').Append(string.Join(", ", props)).Append('}');
                    break;
            }

            text.Append(rng.Next(4) == 0 ? "\r\n" : "\n");
            if (rng.Next(20) == 0)
            {
                text.Append('\n');
            }
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString()).ToList();
        TrimOrKeepTerminator(rng, bytes);
        return [.. bytes];
    }

    public static string Pick(Random rng, string[] values) => values[rng.Next(values.Length)];

    private static string JsonKey(Random rng) => rng.Next(8) switch
    {
        0 => "null",
        1 => "42",
        2 => "\"caf\\u00e9\"",
        3 => "\"quote\\\"d\"",
        4 => "true",
        _ => "\"" + Pick(rng, ["a", "b", "c", "café", "日本", ""]) + "\"",
    };

    private static string JsonValue(Random rng) => rng.Next(10) switch
    {
        0 => "null",
        1 => "\"12.5\"",
        2 => "\"nope\"",
        3 => "-7",
        4 => "1e2",
        _ => rng.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture) + (rng.Next(2) == 0 ? "" : "." + rng.Next(100).ToString("00", CultureInfo.InvariantCulture)),
    };

    private static string Quote(Random rng, string value, char delimiter)
    {
        var needs = value.Contains(delimiter, StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal);
        return needs || rng.Next(5) == 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static void Shuffle<T>(Random rng, List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static void TrimOrKeepTerminator(Random rng, List<byte> bytes)
    {
        // A third of the files end without a newline.
        if (rng.Next(3) == 0)
        {
            while (bytes.Count > 0 && (bytes[^1] == (byte)'\n' || bytes[^1] == (byte)'\r'))
            {
                bytes.RemoveAt(bytes.Count - 1);
            }
        }
    }
}
