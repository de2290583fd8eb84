using System.Security.Cryptography;
using System.Text;

namespace OrleansCompute.Api;

/// <summary>
/// Checks an <c>X-Api-Key</c> value against the configured keys in constant time: both sides are hashed to
/// SHA-256 first (so lengths cannot leak through an early exit) and compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>; every configured key is compared, match or not.
/// Keys are kept only as hashes and never logged.
/// </summary>
public sealed class ApiKeyValidator
{
    private readonly byte[][] _hashes;

    public ApiKeyValidator(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _hashes = [.. keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Trim())))];
    }

    /// <summary>Whether a key is required at all (some key is configured).</summary>
    public bool Required => _hashes.Length > 0;

    public bool IsValid(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty)
        {
            return false;
        }

        Span<byte> utf8 = presented.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(presented.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(presented.Length)];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        var match = false;
        foreach (var known in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, known);
        }

        return match;
    }
}
