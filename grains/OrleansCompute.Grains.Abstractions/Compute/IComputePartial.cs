namespace OrleansCompute.Grains.Compute;

/// <summary>
/// The partial result of one or more splits of one job. It names the splits it covers, so an aggregator
/// can merge each split at most once (see the engine's <c>MergeLedger</c>).
/// </summary>
public interface IComputePartial
{
    string JobId { get; }

    /// <summary>The splits merged into this partial, ascending.</summary>
    IReadOnlyList<int> SplitIds { get; }

    /// <summary>Records read (good and bad).</summary>
    long Records { get; }

    BadRecordSummary BadRecords { get; }

    /// <summary>Distinct keys held.</summary>
    int KeyCount { get; }
}
