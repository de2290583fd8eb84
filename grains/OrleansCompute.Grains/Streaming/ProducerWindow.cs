using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>What a partition decides about one (producer, sequence).</summary>
public enum BatchVerdict
{
    /// <summary>Not seen before: recorded, apply the events.</summary>
    New,

    /// <summary>Recorded with the same content fingerprint (or one not known): a re-send, count nothing.</summary>
    Duplicate,

    /// <summary>Recorded with another fingerprint: the sequence was used for other events.</summary>
    Conflict,

    /// <summary>More than <see cref="ProducerWindow.Window"/> below the highest sequence: cannot be checked.</summary>
    BelowWindow,
}

/// <summary>
/// Which of one producer's batch sequences a partition has recorded, each with the content fingerprint of its batch
/// (<see cref="BatchFingerprint"/>): the highest one plus every recorded sequence within <see cref="Window"/> below it.
/// A recorded sequence is a duplicate when the fingerprint matches and a conflict when it does not; one older than the
/// window cannot be checked. This tolerates producers that pipeline batches and retry out of order.
/// </summary>
[GenerateSerializer]
public sealed class ProducerWindow
{
    public const long Window = IngestConflictException.ProducerWindowSize;

    // Sequences that fell out of the window are pruned in bulk once this many extra are held (amortized O(1) per accept).
    private const int PruneSlack = 512;

    [Id(0)]
    public bool HasAny { get; set; }

    [Id(1)]
    public long Highest { get; set; }

    /// <summary>Sequences without fingerprints, as snapshots held them before fingerprints; moved into <see cref="Fingerprints"/> (as 0: unknown) on first use.</summary>
    [Id(2)]
    public HashSet<long>? Recent { get; set; }

    /// <summary>Recorded sequences within the window and their batches' fingerprints (0: recorded before fingerprints).</summary>
    [Id(3)]
    public Dictionary<long, ulong> Fingerprints { get; set; } = [];

    /// <summary>Judges <paramref name="sequence"/> with content <paramref name="fingerprint"/> and records it when new.</summary>
    public BatchVerdict TryAccept(long sequence, ulong fingerprint)
    {
        if (Recent is { } legacy)
        {
            foreach (var s in legacy)
            {
                Fingerprints.TryAdd(s, 0);
            }

            Recent = null;
        }

        if (HasAny && sequence <= Highest - Window)
        {
            return BatchVerdict.BelowWindow;
        }

        if (Fingerprints.TryGetValue(sequence, out var recorded))
        {
            return recorded == fingerprint || recorded == 0 || fingerprint == 0 ? BatchVerdict.Duplicate : BatchVerdict.Conflict;
        }

        Fingerprints.Add(sequence, fingerprint);
        if (!HasAny || sequence > Highest)
        {
            Highest = sequence;
            HasAny = true;
            if (Fingerprints.Count > Window + PruneSlack)
            {
                var floor = Highest - Window;
                foreach (var s in Fingerprints.Keys)
                {
                    if (s <= floor)
                    {
                        Fingerprints.Remove(s);
                    }
                }
            }
        }

        return BatchVerdict.New;
    }
}
