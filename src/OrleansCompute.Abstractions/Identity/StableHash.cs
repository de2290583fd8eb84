namespace OrleansCompute.Runtime;

/// <summary>Process-independent hashing (FNV-1a over UTF-16 code units) for placement and sharding.</summary>
public static class StableHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Fnv1a(ReadOnlySpan<char> value, uint seed = OffsetBasis)
    {
        var hash = seed;
        foreach (var c in value)
        {
            hash = (hash ^ (byte)c) * Prime;
            hash = (hash ^ (byte)(c >> 8)) * Prime;
        }

        return hash;
    }

    public static uint Fnv1a(string type, string key) => Fnv1a(key, Fnv1a(type) ^ 0x2F);
}
