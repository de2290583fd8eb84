using System.Globalization;

namespace OrleansCompute.Runtime;

/// <summary>
/// How typed keys become the string in <see cref="GrainId.Key"/>:
/// string keys as-is; long keys in invariant decimal; Guid keys as 32 lowercase hex digits ("N");
/// compound keys as <c>primary+extension</c> (the extension may itself contain '+').
/// </summary>
public static class GrainKeyFormat
{
    public const char ExtensionSeparator = '+';

    public static string Format(long key) => key.ToString(CultureInfo.InvariantCulture);

    public static string Format(Guid key) => key.ToString("N");

    public static string Format(long key, string extension)
    {
        ValidateExtension(extension);
        return string.Concat(Format(key), "+", extension);
    }

    public static string Format(Guid key, string extension)
    {
        ValidateExtension(extension);
        return string.Concat(Format(key), "+", extension);
    }

    public static long ParseLong(string key, out string? extension)
    {
        var span = SplitExtension(key, out extension);
        if (!long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"Grain key '{key}' is not an integer key.");
        }

        return value;
    }

    public static Guid ParseGuid(string key, out string? extension)
    {
        var span = SplitExtension(key, out extension);
        if (!Guid.TryParseExact(span, "N", out var value))
        {
            throw new FormatException($"Grain key '{key}' is not a Guid key.");
        }

        return value;
    }

    private static ReadOnlySpan<char> SplitExtension(string key, out string? extension)
    {
        var plus = key.IndexOf(ExtensionSeparator, StringComparison.Ordinal);
        if (plus < 0)
        {
            extension = null;
            return key;
        }

        extension = key[(plus + 1)..];
        return key.AsSpan(0, plus);
    }

    private static void ValidateExtension(string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
    }
}
