using System.Text;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// The string form of a group key. One key column: the value itself. Several: each value prefixed by its
/// length as two UTF-16 code units (high, low 16 bits), so any values — even ones holding separators —
/// map to distinct strings and back.
/// </summary>
public static class GroupKey
{
    public static string Encode(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 1)
        {
            return values[0];
        }

        var builder = new StringBuilder();
        foreach (var value in values)
        {
            builder.Append((char)(value.Length >> 16)).Append((char)(value.Length & 0xFFFF)).Append(value);
        }

        return builder.ToString();
    }

    public static string[] Decode(string key, int columns)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (columns == 1)
        {
            return [key];
        }

        var values = new string[columns];
        var i = 0;
        for (var c = 0; c < columns; c++)
        {
            var length = (key[i] << 16) | key[i + 1];
            values[c] = key.Substring(i + 2, length);
            i += 2 + length;
        }

        return values;
    }

    /// <summary>Compares decoded keys column by column, ordinal.</summary>
    public static int Compare(string[] x, string[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (var i = 0; i < x.Length && i < y.Length; i++)
        {
            var c = string.CompareOrdinal(x[i], y[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return x.Length.CompareTo(y.Length);
    }
}
