using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansCompute.Storage;

/// <summary>
/// An optional capability of a grain storage provider: per (state name, grain id), an append-only log of
/// opaque records plus one snapshot, for grains whose state changes by small deltas (write the delta, not
/// the whole state; fold the log into a snapshot now and then). A provider offers it by implementing this
/// interface on the same object it registers as <see cref="IGrainStorage"/> (or by registering it as a keyed
/// service under its provider name). The contract every provider follows (and the conformance suite checks):
/// <list type="bullet">
/// <item>Sequences start at 1. <see cref="AppendLogAsync"/> with sequence <c>n</c> succeeds only when
/// <c>n == LastSequence + 1</c> (see <see cref="GrainLog.LastSequence"/>); otherwise it throws
/// <see cref="InconsistentStateException"/> and stores nothing. So of two activations appending from the
/// same point, exactly one wins, and a stale activation cannot write behind a snapshot.</item>
/// <item><see cref="WriteLogSnapshotAsync"/> with sequence <c>n</c> replaces the snapshot and removes every
/// record up to <c>n</c>, atomically; it needs <c>SnapshotSequence ≤ n ≤ LastSequence</c>, otherwise
/// <see cref="InconsistentStateException"/> and nothing changes.</item>
/// <item><see cref="ReadLogAsync"/> returns the snapshot (if any) and every record after it, ascending and
/// contiguous. A missing log reads as empty (no snapshot, no records, <c>LastSequence</c> 0).</item>
/// <item>When an append or snapshot task completes successfully, the data is as durable as the provider's
/// <see cref="IGrainStorage"/> writes. Records and snapshots are stored as given (the caller serializes).</item>
/// <item>Logs are keyed by (state name, grain id) and independent of <see cref="IGrainStorage"/> records
/// with the same key.</item>
/// </list>
/// Providers may commit concurrent appends of many grains together (group commit); an append's task
/// completes only after its own record is durable.
/// </summary>
public interface IGrainLogStorage
{
    Task<GrainLog> ReadLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default);

    Task AppendLogAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default);

    Task WriteLogSnapshotAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken = default);

    /// <summary>Deletes the snapshot and every record (no-op when there are none).</summary>
    Task ClearLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IGrainLogStorage.ReadLogAsync"/> returns.</summary>
public sealed class GrainLog
{
    public GrainLog(long snapshotSequence, ReadOnlyMemory<byte>? snapshot, IReadOnlyList<GrainLogRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        SnapshotSequence = snapshotSequence;
        Snapshot = snapshot;
        Records = records;
    }

    /// <summary>An empty log: no snapshot, no records.</summary>
    public static GrainLog Empty { get; } = new(0, null, []);

    /// <summary>The sequence the snapshot covers (0 when there is none).</summary>
    public long SnapshotSequence { get; }

    /// <summary>The snapshot bytes, or null when none was written.</summary>
    public ReadOnlyMemory<byte>? Snapshot { get; }

    /// <summary>The records after the snapshot, ascending and contiguous from <c>SnapshotSequence + 1</c>.</summary>
    public IReadOnlyList<GrainLogRecord> Records { get; }

    /// <summary>The last sequence stored: the last record's, or the snapshot's when there are no records.</summary>
    public long LastSequence => Records.Count > 0 ? Records[^1].Sequence : SnapshotSequence;
}

/// <summary>One record of a grain log.</summary>
public readonly record struct GrainLogRecord(long Sequence, ReadOnlyMemory<byte> Data);
