using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// Cuts UTF-8 text into words (the rule is stated on <see cref="WordCountOptions"/>): maximal runs of
/// letters (L*), marks (M*) and decimal digits (Nd), optionally joined by an apostrophe (U+0027, U+2019)
/// that has a word rune on each side; case folded per rune with <see cref="Rune.ToLowerInvariant"/>.
/// ASCII is handled by table lookups; other runes are decoded from UTF-8 without allocating. Invalid
/// UTF-8 separates words.
/// </summary>
public sealed class WordTokenizer
{
    // Word flag per ASCII byte; its lower-case form.
    private static readonly bool[] s_asciiWord = BuildAsciiWord();
    private static readonly char[] s_asciiLower = BuildAsciiLower();

    // Per byte < 0x80: 0 for a separator, else the byte a word keeps (lower-cased or as is).
    private static readonly byte[] s_foldLower = BuildFold(lower: true);
    private static readonly byte[] s_foldKeep = BuildFold(lower: false);

    private readonly bool _lower;
    private readonly bool _joinApostrophes;

    public WordTokenizer(WordCountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _lower = options.CaseFolding == CaseFolding.Lower;
        _joinApostrophes = options.JoinApostrophes;
    }

    /// <summary>Whether a rune is part of words: letters, marks and decimal digits.</summary>
    public static bool IsWordRune(Rune rune) => (uint)Rune.GetUnicodeCategory(rune) <= (uint)UnicodeCategory.DecimalDigitNumber;

    /// <summary>
    /// Calls <paramref name="onWord"/> for each word in <paramref name="text"/> with its folded UTF-16 form
    /// (valid during the call). <paramref name="buffer"/> is grown when a word is longer.
    /// </summary>
    public void Tokenize<TState>(ReadOnlySpan<byte> text, ref char[] buffer, TState state, WordAction<TState> onWord)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(onWord);
        var i = 0;
        while (i < text.Length)
        {
            // Skip to the start of a word.
            var b = text[i];
            if (b < 0x80)
            {
                if (!s_asciiWord[b])
                {
                    i++;
                    continue;
                }
            }
            else
            {
                Rune.DecodeFromUtf8(text[i..], out var first, out var consumed);
                if (!IsWordRune(first))
                {
                    i += consumed; // also skips an invalid sequence (decoded as U+FFFD, not a word rune)
                    continue;
                }
            }

            var length = 0;
            while (i < text.Length)
            {
                if (buffer.Length - length < 4)
                {
                    Grow(ref buffer);
                }

                b = text[i];
                if (b < 0x80)
                {
                    if (s_asciiWord[b])
                    {
                        buffer[length++] = _lower ? s_asciiLower[b] : (char)b;
                        i++;
                    }
                    else if (b == (byte)'\'' && _joinApostrophes && StartsWithWordRune(text[(i + 1)..]))
                    {
                        buffer[length++] = '\'';
                        i++;
                    }
                    else
                    {
                        break;
                    }

                    continue;
                }

                Rune.DecodeFromUtf8(text[i..], out var rune, out var size);
                if (IsWordRune(rune))
                {
                    length += (_lower ? Rune.ToLowerInvariant(rune) : rune).EncodeToUtf16(buffer.AsSpan(length));
                    i += size;
                }
                else if (rune.Value == '\u2019' && _joinApostrophes && StartsWithWordRune(text[(i + size)..]))
                {
                    buffer[length++] = '\u2019';
                    i += size;
                }
                else
                {
                    break;
                }
            }

            onWord(state, buffer.AsSpan(0, length));
        }
    }

    /// <summary>
    /// Counts the words of <paramref name="text"/> into <paramref name="counts"/> keyed by their folded UTF-8
    /// bytes (the same words, folded the same way, as <see cref="Tokenize"/>): ASCII goes through one table
    /// lookup per byte and nothing is allocated for a word already counted. <paramref name="buffer"/> holds the
    /// folded word and is grown when a word is longer.
    /// </summary>
    public void CountUtf8<TValue>(ReadOnlySpan<byte> text, ref byte[] buffer, Jobs.Combiner<string, TValue> counts)
        where TValue : System.Numerics.IIncrementOperators<TValue>
    {
        ArgumentNullException.ThrowIfNull(counts);
        ScanUtf8(text, ref buffer, new CombinerSink<TValue>(counts));
    }

    /// <summary>As the <see cref="Jobs.Combiner{TKey, TValue}"/> overload, into a <see cref="Jobs.Utf8CountTable"/>. Keys are always valid UTF-8.</summary>
    public void CountUtf8(ReadOnlySpan<byte> text, ref byte[] buffer, Jobs.Utf8CountTable counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ScanUtf8(text, ref buffer, new TableSink(counts));
    }

    private interface IWordSink
    {
        void Word(ReadOnlySpan<byte> word);
    }

    private readonly struct CombinerSink<TValue>(Jobs.Combiner<string, TValue> counts) : IWordSink
        where TValue : System.Numerics.IIncrementOperators<TValue>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Word(ReadOnlySpan<byte> word) => counts.GetValueRefUtf8(word, out _)++;
    }

    private readonly struct TableSink(Jobs.Utf8CountTable counts) : IWordSink
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Word(ReadOnlySpan<byte> word) => counts.GetCountRef(word)++;
    }

    /// <summary>
    /// The words of <paramref name="text"/>, folded, as UTF-8 (invalid UTF-8 separates words and never enters one,
    /// and non-ASCII runes are re-encoded from their decoded value, so every word is valid UTF-8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per 1 MiB block: optimize it at once, not through OSR
    private void ScanUtf8<TSink>(ReadOnlySpan<byte> text, ref byte[] buffer, TSink sink)
        where TSink : struct, IWordSink
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var fold = _lower ? s_foldLower : s_foldKeep;
        var join = _joinApostrophes;
        var i = 0;
        while (i < text.Length)
        {
            var b = text[i];
            if (b < 0x80)
            {
                if (fold[b] == 0)
                {
                    i++;
                    continue;
                }
            }
            else
            {
                Rune.DecodeFromUtf8(text[i..], out var first, out var consumed);
                if (!IsWordRune(first))
                {
                    i += consumed;
                    continue;
                }
            }

            var length = 0;
            while (i < text.Length)
            {
                if (buffer.Length - length < 4)
                {
                    Array.Resize(ref buffer, Math.Max(64, buffer.Length * 2));
                }

                b = text[i];
                if (b < 0x80)
                {
                    var folded = fold[b];
                    if (folded != 0)
                    {
                        buffer[length++] = folded;
                        i++;
                    }
                    else if (b == (byte)'\'' && join && StartsWithWordRune(text[(i + 1)..]))
                    {
                        buffer[length++] = (byte)'\'';
                        i++;
                    }
                    else
                    {
                        break;
                    }

                    continue;
                }

                Rune.DecodeFromUtf8(text[i..], out var rune, out var size);
                if (IsWordRune(rune))
                {
                    length += (_lower ? Rune.ToLowerInvariant(rune) : rune).EncodeToUtf8(buffer.AsSpan(length));
                    i += size;
                }
                else if (rune.Value == '\u2019' && join && StartsWithWordRune(text[(i + size)..]))
                {
                    text.Slice(i, size).CopyTo(buffer.AsSpan(length)); // U+2019 is three bytes, kept as written
                    length += size;
                    i += size;
                }
                else
                {
                    break;
                }
            }

            sink.Word(buffer.AsSpan(0, length));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool StartsWithWordRune(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        if (text[0] < 0x80)
        {
            return s_asciiWord[text[0]];
        }

        Rune.DecodeFromUtf8(text, out var rune, out _);
        return IsWordRune(rune);
    }

    private static void Grow(ref char[] buffer)
    {
        // Rare (words longer than the buffer): a plain allocation the caller keeps for next time.
        Array.Resize(ref buffer, Math.Max(64, buffer.Length * 2));
    }

    private static bool[] BuildAsciiWord()
    {
        var table = new bool[128];
        for (var c = 0; c < 128; c++)
        {
            table[c] = char.IsAsciiLetterOrDigit((char)c);
        }

        return table;
    }

    private static byte[] BuildFold(bool lower)
    {
        var table = new byte[128];
        for (var c = 0; c < 128; c++)
        {
            if (char.IsAsciiLetterOrDigit((char)c))
            {
                table[c] = (byte)(lower ? char.ToLowerInvariant((char)c) : c);
            }
        }

        return table;
    }

    private static char[] BuildAsciiLower()
    {
        var table = new char[128];
        for (var c = 0; c < 128; c++)
        {
            table[c] = char.ToLowerInvariant((char)c);
        }

        return table;
    }
}
