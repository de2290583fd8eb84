namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// Path-segment globs: <c>*</c> any run of characters within a segment, <c>?</c> one character,
/// a segment that is exactly <c>**</c> any number of segments (including none). Matching is ordinal.
/// </summary>
internal static class GlobPattern
{
    public static bool HasWildcard(string segment) => segment.AsSpan().IndexOfAny('*', '?') >= 0;

    public static bool MatchSegments(ReadOnlySpan<string> pattern, ReadOnlySpan<string> path)
    {
        while (pattern.Length > 0)
        {
            if (pattern[0] == "**")
            {
                var rest = pattern[1..];
                for (var skip = 0; skip <= path.Length; skip++)
                {
                    if (MatchSegments(rest, path[skip..]))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (path.Length == 0 || !MatchSegment(pattern[0], path[0]))
            {
                return false;
            }

            pattern = pattern[1..];
            path = path[1..];
        }

        return path.Length == 0;
    }

    /// <summary>Whether the pattern may match a path that continues <paramref name="path"/> by one or more segments.</summary>
    public static bool CanMatchBelow(ReadOnlySpan<string> pattern, ReadOnlySpan<string> path)
    {
        while (path.Length > 0)
        {
            if (pattern.Length == 0)
            {
                return false;
            }

            if (pattern[0] == "**")
            {
                return true; // ** takes the rest of path, and the pattern after it whatever follows
            }

            if (!MatchSegment(pattern[0], path[0]))
            {
                return false;
            }

            pattern = pattern[1..];
            path = path[1..];
        }

        return pattern.Length > 0;
    }

    public static bool MatchSegment(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        // Greedy star with one backtrack point: linear for patterns with several stars.
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
