using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        if (Vector256.IsHardwareAccelerated)
        {
            CountRuns(text, ref buffer, counts);
        }
        else
        {
            ScanUtf8(text, ref buffer, new TableSink(counts));
        }
    }

    /// <summary>
    /// The vectorized form of <see cref="ScanUtf8{TSink}"/> (same words, same folding): 64 bytes at a time, one pass
    /// classifies every byte as an ASCII letter or digit, an apostrophe (when joining) or a non-ASCII byte — together,
    /// the bytes that may belong to a word; everything else certainly separates words. A run of such bytes with
    /// only ASCII letters and digits is a word as it stands in the text: up to 16 bytes it is folded in registers and
    /// counted without being copied. A run holding an apostrophe or a non-ASCII byte goes through the scalar rules
    /// (it is bounded by separators, so the rules see exactly what they would see in the whole text).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountRuns(ReadOnlySpan<byte> text, ref byte[] buffer, Jobs.Utf8CountTable counts)
    {
        ref var data = ref MemoryMarshal.GetReference(text);
        var length = text.Length;
        var join = _joinApostrophes;
        var runStart = -1;
        var runSpecial = false;
        for (var chunk = 0; chunk < length; chunk += 64)
        {
            ulong candidates, special;
            if (chunk + 64 <= length)
            {
                Classify(Vector256.LoadUnsafe(ref data, (nuint)chunk), join, out var c0, out var s0);
                Classify(Vector256.LoadUnsafe(ref data, (nuint)chunk + 32), join, out var c1, out var s1);
                candidates = c0 | ((ulong)c1 << 32);
                special = s0 | ((ulong)s1 << 32);
            }
            else
            {
                candidates = 0;
                special = 0;
                for (var i = chunk; i < length; i++)
                {
                    var b = Unsafe.Add(ref data, i);
                    var isSpecial = b >= 0x80 || (join && b == (byte)'\'');
                    if (isSpecial || s_foldKeep[b] != 0)
                    {
                        candidates |= 1UL << (i - chunk);
                    }

                    if (isSpecial)
                    {
                        special |= 1UL << (i - chunk);
                    }
                }
            }

            var bit = 0;
            while (bit < 64)
            {
                if (runStart < 0)
                {
                    var starts = candidates & (ulong.MaxValue << bit);
                    if (starts == 0)
                    {
                        break;
                    }

                    bit = BitOperations.TrailingZeroCount(starts);
                    runStart = chunk + bit;
                    runSpecial = false;
                    continue;
                }

                var ends = ~candidates & (ulong.MaxValue << bit);
                if (ends == 0)
                {
                    runSpecial |= (special >> bit) != 0; // the run goes on into the next chunk
                    break;
                }

                var end = BitOperations.TrailingZeroCount(ends);
                runSpecial |= (special & ((1UL << end) - 1) & (ulong.MaxValue << bit)) != 0;
                CountRun(text[runStart..(chunk + end)], runSpecial, ref buffer, counts);
                runStart = -1;
                bit = end;
            }
        }

        if (runStart >= 0)
        {
            CountRun(text[runStart..], runSpecial, ref buffer, counts);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Classify(Vector256<byte> bytes, bool join, out uint candidates, out uint special)
    {
        var digit = Vector256.LessThan(bytes - Vector256.Create((byte)'0'), Vector256.Create((byte)10));
        var letter = Vector256.LessThan((bytes | Vector256.Create((byte)0x20)) - Vector256.Create((byte)'a'), Vector256.Create((byte)26));
        special = bytes.ExtractMostSignificantBits(); // non-ASCII
        if (join)
        {
            special |= Vector256.Equals(bytes, Vector256.Create((byte)'\'')).ExtractMostSignificantBits();
        }

        candidates = (digit | letter).ExtractMostSignificantBits() | special;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountRun(ReadOnlySpan<byte> run, bool special, ref byte[] buffer, Jobs.Utf8CountTable counts)
    {
        if (special)
        {
            ScanUtf8(run, ref buffer, new TableSink(counts));
        }
        else if (run.Length <= Jobs.Utf8CountTable.MaxInlineKey)
        {
            counts.GetCountRefAsciiWord(run, _lower)++;
        }
        else
        {
            CountLongAsciiWord(run, ref buffer, counts);
        }
    }

    private void CountLongAsciiWord(ReadOnlySpan<byte> word, ref byte[] buffer, Jobs.Utf8CountTable counts)
    {
        if (buffer.Length < word.Length)
        {
            Array.Resize(ref buffer, Math.Max(word.Length, buffer.Length * 2));
        }

        var fold = _lower ? s_foldLower : s_foldKeep;
        for (var i = 0; i < word.Length; i++)
        {
            buffer[i] = fold[word[i]];
        }

        counts.GetCountRef(buffer.AsSpan(0, word.Length))++;
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
