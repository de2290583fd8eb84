using System.Security.Cryptography;
using System.Text;

namespace OrleansCompute.Storage;

/// <summary>
/// Blob names of grain state: <c>{serviceId}/{stateName}/{grainType}/{grainKey}</c>, every part escaped so that the
/// name is made of URL-unreserved characters only and no two (state, grain) pairs share a name: ASCII letters, digits,
/// '-' and '_' stay; every other UTF-8 byte becomes <c>~XX</c> (upper-case hex; '~' itself is <c>~7E</c>, '.' is
/// <c>~2E</c>, so no segment is "." or ".." or ends with a dot, and '/' inside a part is <c>~2F</c>).
/// A name longer than 1024 characters (the service limit) is replaced by
/// <c>{serviceId}/{stateName}/{grainType}/~sha256~{hex of SHA-256 of the escaped key}</c>.
/// </summary>
public static class BlobNames
{
    /// <summary>The longest blob name the service accepts.</summary>
    public const int MaxLength = 1024;

    public static string ForState(string serviceId, string stateName, string grainType, string grainKey)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainType);
        ArgumentNullException.ThrowIfNull(grainKey);
        var head = Escape(serviceId) + "/" + Escape(stateName) + "/" + Escape(grainType) + "/";
        var key = Escape(grainKey);
        if (head.Length + key.Length <= MaxLength)
        {
            return head + key;
        }

        var hashed = head + "~sha256~" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return hashed.Length <= MaxLength
            ? hashed
            : throw new ArgumentException($"The service id, state name and grain type alone make a blob name longer than {MaxLength} characters.");
    }

    /// <summary>Escapes one name part (see the class remarks). An empty part becomes <c>~</c> so no segment is empty.</summary>
    public static string Escape(string part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (part.Length == 0)
        {
            return "~";
        }

        var builder = new StringBuilder(part.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in part.EnumerateRunes())
        {
            if (rune.IsAscii && (Rune.IsLetterOrDigit(rune) || rune.Value is '-' or '_'))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var count = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < count; i++)
            {
                builder.Append('~').Append(utf8[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
