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

        return Utf8Parser.TryParse(text, out value, out var consumed, 'E') && consumed == text.Length
            || Utf8Parser.TryParse(text, out value, out consumed) && consumed == text.Length;
    }
}
