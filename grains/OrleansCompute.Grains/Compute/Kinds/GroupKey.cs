using System.Text;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// The string form of a group key, where a part may be null (a JSON <c>null</c>: its own group, apart from the empty
/// string). One key column: the value itself, except that null is the single character U+FFFF and a value that starts
/// with U+FFFF gets one more in front (so every string and null stay distinct, and ordinary values cost nothing).
/// Several: each value prefixed by its length as two UTF-16 code units (high, low 16 bits), null by U+FFFF twice (no
/// string is that long), so any values — even ones holding separators — map to distinct strings and back. Keys stay
/// well-formed UTF-16, so they survive Orleans's UTF-8 string encoding between silos and in storage.
/// </summary>
public static class GroupKey
{
    /// <summary>Marks null (and escapes a leading U+FFFF) in a one-column key; twice, null in a several-column key.</summary>
    internal const char NullMark = '\uFFFF';

    public static string Encode(IReadOnlyList<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 1)
        {
            return EncodeOne(values[0]);
        }

        var builder = new StringBuilder();
        foreach (var value in values)
        {
            if (value is null)
            {
                builder.Append(NullMark).Append(NullMark);
                continue;
            }

            builder.Append((char)(value.Length >> 16)).Append((char)(value.Length & 0xFFFF)).Append(value);
        }

        return builder.ToString();
    }

    /// <summary>A one-column key: the value itself unless it is null or starts with U+FFFF.</summary>
    public static string EncodeOne(string? value) =>
        value is null ? "\uFFFF" : value.Length > 0 && value[0] == NullMark ? NullMark + value : value;

    public static string?[] Decode(string key, int columns)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (columns == 1)
        {
            return [key.Length > 0 && key[0] == NullMark ? (key.Length == 1 ? null : key[1..]) : key];
        }

        var values = new string?[columns];
        var i = 0;
        for (var c = 0; c < columns; c++)
        {
            if (key[i] == NullMark && key[i + 1] == NullMark)
            {
                values[c] = null;
                i += 2;
                continue;
            }

            var length = (key[i] << 16) | key[i + 1];
            values[c] = key.Substring(i + 2, length);
            i += 2 + length;
        }

        return values;
    }

    /// <summary>Compares decoded keys column by column, ordinal; null after every string.</summary>
    public static int Compare(string?[] x, string?[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (var i = 0; i < x.Length && i < y.Length; i++)
        {
            var c = x[i] is null || y[i] is null ? (x[i] is null ? 1 : 0) - (y[i] is null ? 1 : 0) : string.CompareOrdinal(x[i], y[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return x.Length.CompareTo(y.Length);
    }
}
