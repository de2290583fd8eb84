namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>FNV-1a over UTF-16 code units: the same in every process (unlike <see cref="string.GetHashCode()"/>).</summary>
public static class StableHash
{
    public static int Of(ReadOnlySpan<char> text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    public static int Of(string text) => Of(text.AsSpan());

    /// <summary>
    /// FNV-1a over both bytes of each UTF-16 code unit (the streaming topology's hash: it decides which partition and
    /// shard grain own a key, so it never changes for an existing dataset).
    /// </summary>
    public static uint Fnv1a(ReadOnlySpan<char> value, uint seed = 2166136261u)
    {
        var hash = seed;
        foreach (var c in value)
        {
            hash = (hash ^ (byte)c) * 16777619u;
            hash = (hash ^ (byte)(c >> 8)) * 16777619u;
        }

        return hash;
    }
}
