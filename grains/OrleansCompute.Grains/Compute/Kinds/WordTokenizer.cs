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
