using System.Security.Cryptography;
using System.Text;
using OrleansCompute.Api.Security;

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
    private readonly ApiKeyIdentity[] _identities;

    public ApiKeyValidator(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var hashes = new List<byte[]>();
        var identities = new List<ApiKeyIdentity>();
        var index = 0;
        foreach (var key in keys)
        {
            if (!string.IsNullOrWhiteSpace(key))
            {
                hashes.Add(SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim())));
                identities.Add(new ApiKeyIdentity(index));
            }

            index++;
        }

        _hashes = [.. hashes];
        _identities = [.. identities];
    }

    /// <summary>Whether a key is required at all (some key is configured).</summary>
    public bool Required => _hashes.Length > 0;

    public bool IsValid(ReadOnlySpan<char> presented) => TryValidate(presented, out _);

    /// <summary>Whether <paramref name="presented"/> is a configured key, and which (for rate limits; never the key itself).</summary>
    public bool TryValidate(ReadOnlySpan<char> presented, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ApiKeyIdentity? identity)
    {
        identity = null;
        if (presented.IsEmpty)
        {
            return false;
        }

        Span<byte> utf8 = presented.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(presented.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(presented.Length)];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        var match = -1;
        for (var i = 0; i < _hashes.Length; i++)
        {
            // Every key is compared; which one matched is no secret to whoever holds it.
            if (CryptographicOperations.FixedTimeEquals(hash, _hashes[i]))
            {
                match = i;
            }
        }

        if (match < 0)
        {
            return false;
        }

        identity = _identities[match];
        return true;
    }
}
