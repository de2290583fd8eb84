using System.Buffers.Text;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// Parses numbers exactly as <see cref="decimal"/> from UTF-8, culture-invariant: optional sign, digits
/// with an optional <c>.</c> fraction, optional exponent (<c>1.5e3</c>); ASCII spaces and tabs around the
/// number are ignored. Anything else, or a value outside decimal's range, is not a number.
/// </summary>
public static class DecimalText
{
    public static bool TryParse(ReadOnlySpan<byte> text, out decimal value)
    {
        text = text.Trim(" \t"u8);
        if (text.IsEmpty)
        {
            value = 0;
            return false;
        }

        // Fast path for the common case, plain integers of up to 18 digits: exact as long, then decimal.
        var negative = text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length is > 0 and <= 18 && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            long whole = 0;
            foreach (var d in digits)
            {
                whole = (whole * 10) + (d - '0');
            }

            value = negative ? -whole : whole;
            return true;
        }

        return Utf8Parser.TryParse(text, out value, out var consumed, 'E') && consumed == text.Length
            || Utf8Parser.TryParse(text, out value, out consumed) && consumed == text.Length;
    }
}
