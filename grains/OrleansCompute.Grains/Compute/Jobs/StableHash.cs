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
}
