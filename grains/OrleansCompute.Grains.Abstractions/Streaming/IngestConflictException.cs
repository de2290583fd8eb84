using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// A batch was refused because its (producer, sequence) cannot be taken as new: that sequence already carried a batch
/// with other events, or it lies below the window of recent sequences kept for the producer (so whether it was used
/// cannot be checked). Nothing of the batch was counted, unless <see cref="AppliedEvents"/> says otherwise. Re-sending
/// the <em>same</em> batch stays a duplicate; new events need a new producer id or a sequence above
/// <see cref="HighestSequence"/>.
/// </summary>
[GenerateSerializer]
public sealed class IngestConflictException : Exception
{
    public IngestConflictException()
    {
    }

    public IngestConflictException(string message)
        : base(message)
    {
    }

    public IngestConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IngestConflictException(string producerId, long sequence, long highestSequence, bool belowWindow, int appliedEvents)
        : base(Describe(producerId, sequence, highestSequence, belowWindow, appliedEvents))
    {
        ProducerId = producerId;
        Sequence = sequence;
        HighestSequence = highestSequence;
        BelowWindow = belowWindow;
        AppliedEvents = appliedEvents;
    }

    [Id(0)]
    public string ProducerId { get; private set; } = "";

    [Id(1)]
    public long Sequence { get; private set; }

    /// <summary>The highest sequence recorded for the producer: a new batch may use any sequence above it.</summary>
    [Id(2)]
    public long HighestSequence { get; private set; }

    /// <summary>True: the sequence is older than the last <see cref="ProducerWindowSize"/> sequences of the producer, so it cannot be checked.</summary>
    [Id(3)]
    public bool BelowWindow { get; private set; }

    /// <summary>
    /// Events of the refused batch that were counted anyway: only possible when the first batch under this sequence was never
    /// acknowledged (it failed part-way), so some partitions had not recorded it. Normally 0.
    /// </summary>
    [Id(4)]
    public int AppliedEvents { get; private set; }

    /// <summary>How many recent sequences per producer are remembered with their content fingerprint.</summary>
    public const long ProducerWindowSize = 4096;

    private static string Describe(string producerId, long sequence, long highest, bool belowWindow, int applied)
    {
        var what = belowWindow
            ? $"Sequence {sequence} of producer '{producerId}' is more than {ProducerWindowSize} below the highest sequence recorded for it ({highest}), so whether it was used cannot be checked; it was not counted (a batch that was acknowledged before under this sequence stays counted)."
            : $"Producer '{producerId}' already sent a batch with different events as sequence {sequence}; this batch was not counted (re-sending the same events under the same sequence is safe: they are counted once).";
        var partly = applied > 0
            ? $" {applied} of its events were counted nevertheless, in partitions that had not recorded the first batch under this sequence (it was never acknowledged)."
            : "";
        return $"{what}{partly} To send new events, use a new producer id, or sequences above {highest}.";
    }
}
