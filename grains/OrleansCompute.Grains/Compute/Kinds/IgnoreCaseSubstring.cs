using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// Case-insensitive substring search over UTF-8 records, with .NET's ordinal ignore-case rule
/// (<see cref="StringComparison.OrdinalIgnoreCase"/>: each UTF-16 code unit compared by its simple, culture-invariant
/// upper-case mapping; no one-to-many folds, so <c>ß</c> does not match <c>ss</c>). Under that rule an ASCII character
/// only ever equals an ASCII character, so an all-ASCII pattern is searched in the bytes themselves (no decoding),
/// vectorized: the pattern's first and last bytes, case-folded with <c>| 0x20</c> when they are letters, are compared at
/// 32 (or 16) positions at once and each candidate is checked with <see cref="Ascii.EqualsIgnoreCase(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.
/// A pattern with a non-ASCII character can match only a record holding non-ASCII bytes; such a record is decoded
/// (invalid UTF-8 reads as U+FFFD, as in regex mode) and searched with <see cref="MemoryExtensions.IndexOf(ReadOnlySpan{char}, ReadOnlySpan{char}, StringComparison)"/>.
/// </summary>
internal sealed class IgnoreCaseSubstring
{
    private readonly byte[] _ascii = [];   // the ASCII pattern, lower-cased
    private readonly string? _text;        // a non-ASCII pattern, as text
    private readonly byte _first;
    private readonly byte _firstMask;
    private readonly byte _last;
    private readonly byte _lastMask;

    public IgnoreCaseSubstring(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (!Ascii.IsValid(pattern))
        {
            _text = pattern;
            return;
        }

        _ascii = Encoding.ASCII.GetBytes(pattern.ToLowerInvariant());
        if (_ascii.Length > 0)
        {
            (_first, _firstMask) = Folded(_ascii[0]);
            (_last, _lastMask) = Folded(_ascii[^1]);
        }
    }

    public bool IsMatch(ReadOnlySpan<byte> text) => _text is null ? ContainsAscii(text) : ContainsText(text);

    /// <summary>A byte to compare after <c>| mask</c>: letters match either case, anything else only itself.</summary>
    private static (byte Value, byte Mask) Folded(byte b) => char.IsAsciiLetter((char)b) ? ((byte)(b | 0x20), (byte)0x20) : (b, (byte)0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ContainsAscii(ReadOnlySpan<byte> text)
    {
        var needle = _ascii;
        var m = needle.Length;
        if (m == 0)
        {
            return true;
        }

        var lastStart = text.Length - m; // the last position a match may start at
        if (lastStart < 0)
        {
            return false;
        }

        ref var data = ref MemoryMarshal.GetReference(text);
        var i = 0;
        if (Vector256.IsHardwareAccelerated && lastStart >= Vector256<byte>.Count - 1)
        {
            var first = Vector256.Create(_first);
            var firstMask = Vector256.Create(_firstMask);
            var last = Vector256.Create(_last);
            var lastMask = Vector256.Create(_lastMask);
            for (; i + Vector256<byte>.Count - 1 <= lastStart; i += Vector256<byte>.Count)
            {
                var starts = Vector256.Equals(Vector256.LoadUnsafe(ref data, (nuint)i) | firstMask, first);
                var ends = Vector256.Equals(Vector256.LoadUnsafe(ref data, (nuint)(i + m - 1)) | lastMask, last);
                var candidates = (starts & ends).ExtractMostSignificantBits();
                while (candidates != 0)
                {
                    if (Ascii.EqualsIgnoreCase(text.Slice(i + BitOperations.TrailingZeroCount(candidates), m), needle))
                    {
                        return true;
                    }

                    candidates &= candidates - 1;
                }
            }
        }

        if (Vector128.IsHardwareAccelerated && i + Vector128<byte>.Count - 1 <= lastStart)
        {
            var first = Vector128.Create(_first);
            var firstMask = Vector128.Create(_firstMask);
            var last = Vector128.Create(_last);
            var lastMask = Vector128.Create(_lastMask);
            for (; i + Vector128<byte>.Count - 1 <= lastStart; i += Vector128<byte>.Count)
            {
                var starts = Vector128.Equals(Vector128.LoadUnsafe(ref data, (nuint)i) | firstMask, first);
                var ends = Vector128.Equals(Vector128.LoadUnsafe(ref data, (nuint)(i + m - 1)) | lastMask, last);
                var candidates = (starts & ends).ExtractMostSignificantBits();
                while (candidates != 0)
                {
                    if (Ascii.EqualsIgnoreCase(text.Slice(i + BitOperations.TrailingZeroCount(candidates), m), needle))
                    {
                        return true;
                    }

                    candidates &= candidates - 1;
                }
            }
        }

        for (; i <= lastStart; i++)
        {
            if ((byte)(text[i] | _firstMask) == _first && (byte)(text[i + m - 1] | _lastMask) == _last && Ascii.EqualsIgnoreCase(text.Slice(i, m), needle))
            {
                return true;
            }
        }

        return false;
    }

    private bool ContainsText(ReadOnlySpan<byte> text)
    {
        if (Ascii.IsValid(text))
        {
            return false; // the pattern's non-ASCII character matches only a non-ASCII one
        }

        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(text, chars);
            return chars.AsSpan(0, length).IndexOf(_text, StringComparison.OrdinalIgnoreCase) >= 0;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
