namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>Bad-record bookkeeping: sample order, merging, and the rejection policy check.</summary>
public static class BadRecords
{
    /// <summary>Counts one bad record of a split and keeps it as a sample while fewer than <paramref name="maxSamples"/> are kept.</summary>
    internal static void Add(BadRecordSummary bad, int maxSamples, string path, long offset, string reason)
    {
        bad.Count++;
        if (bad.Samples.Count < maxSamples)
        {
            // A split reads in file order, so its first bad records are its smallest (path, offset).
            bad.Samples.Add(new BadRecordSample { Path = path, Offset = offset, Reason = reason });
        }
    }

    /// <summary>Merges two summaries: counts add, samples keep the first <paramref name="maxSamples"/> in (path, offset) order.</summary>
    public static BadRecordSummary Merge(BadRecordSummary a, BadRecordSummary b, int maxSamples)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new BadRecordSummary
        {
            Count = a.Count + b.Count,
            Samples = MergeOrdered(a.Samples, b.Samples, maxSamples, static s => (s.Path, s.Offset)),
        };
    }

    /// <summary>
    /// The message when <paramref name="bad"/> out of <paramref name="records"/> exceeds <paramref name="policy"/>, or null.
    /// </summary>
    public static string? Violation(string jobId, RejectionPolicy policy, BadRecordSummary bad, long records)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(bad);
        if (bad.Count == 0)
        {
            return null;
        }

        string? limit = null;
        if (policy.MaxBadRecords is { } max && bad.Count > max)
        {
            limit = $"at most {max} bad records are allowed (RejectionPolicy.MaxBadRecords)";
        }
        else if (policy.MaxBadFraction is { } fraction && records > 0 && (double)bad.Count / records > fraction)
        {
            limit = $"at most {fraction:P2} of records may be bad (RejectionPolicy.MaxBadFraction)";
        }

        if (limit is null)
        {
            return null;
        }

        var first = bad.Samples.Count > 0 ? $" First: {bad.Samples[0]}." : "";
        return $"Job '{jobId}' failed: {bad.Count} bad records out of {records} read ({(double)bad.Count / Math.Max(records, 1):P2}), but {limit}.{first}";
    }

    internal static List<T> MergeOrdered<T>(List<T>? a, List<T>? b, int max, Func<T, (string Path, long Offset)> position)
    {
        var result = new List<T>(Math.Min(max, (a?.Count ?? 0) + (b?.Count ?? 0)));
        int i = 0, j = 0;
        var ac = a?.Count ?? 0;
        var bc = b?.Count ?? 0;
        while (result.Count < max && (i < ac || j < bc))
        {
            if (j >= bc || i < ac && Compare(position(a![i]), position(b![j])) <= 0)
            {
                result.Add(a![i++]);
            }
            else
            {
                result.Add(b![j++]);
            }
        }

        return result;
    }

    private static int Compare((string Path, long Offset) x, (string Path, long Offset) y)
    {
        var byPath = string.CompareOrdinal(x.Path, y.Path);
        return byPath != 0 ? byPath : x.Offset.CompareTo(y.Offset);
    }
}
