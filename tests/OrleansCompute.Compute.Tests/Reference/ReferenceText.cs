using System.Globalization;
using System.Text;

namespace OrleansCompute.Compute.Tests.Reference;

/// <summary>
/// Deliberately simple, single-threaded reference implementations over whole files: they decode the entire
/// file, split it with string operations and compute results in the most obvious way. Every engine kind is
/// checked against them.
/// </summary>
public static class ReferenceText
{
    /// <summary>Lines of a file as (byte offset, bytes): split at '\n', one trailing '\r' dropped, nothing after a final '\n'.</summary>
    public static List<(long Offset, byte[] Bytes)> Lines(byte[] file)
    {
        var lines = new List<(long, byte[])>();
        var start = 0;
        for (var i = 0; i <= file.Length; i++)
        {
            if (i == file.Length || file[i] == (byte)'\n')
            {
                if (i == file.Length && start == file.Length)
                {
                    break;
                }

                var end = i;
                if (end > start && file[end - 1] == (byte)'\r')
                {
                    end--;
                }

                lines.Add((start, file[start..end]));
                start = i + 1;
            }
        }

        return lines;
    }

    public static bool IsWordRune(Rune rune)
    {
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.DecimalDigitNumber:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Word count of whole files by the documented rule, on decoded strings.</summary>
    public static Dictionary<string, long> WordCount(IEnumerable<byte[]> files, bool lower, bool joinApostrophes)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var runes = Encoding.UTF8.GetString(file).EnumerateRunes().ToArray();
            var word = new StringBuilder();
            var i = 0;
            while (i < runes.Length)
            {
                if (!IsWordRune(runes[i]))
                {
                    i++;
                    continue;
                }

                word.Clear();
                while (i < runes.Length)
                {
                    var r = runes[i];
                    if (IsWordRune(r))
                    {
                        word.Append((lower ? Rune.ToLowerInvariant(r) : r).ToString());
                    }
                    else if (joinApostrophes && (r.Value == '\'' || r.Value == '\u2019') && i + 1 < runes.Length && IsWordRune(runes[i + 1]))
                    {
                        word.Append(r.ToString());
                    }
                    else
                    {
                        break;
                    }

                    i++;
                }

                var w = word.ToString();
                counts[w] = counts.GetValueOrDefault(w) + 1;
            }
        }

        return counts;
    }

    /// <summary>Invariant decimal parse with surrounding spaces/tabs allowed: the documented number rule.</summary>
    public static bool TryParseNumber(string text, out decimal value) =>
        decimal.TryParse(text.Trim(' ', '\t'), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool Contains(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return true;
            }
        }

        return false;
    }
}
