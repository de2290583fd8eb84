using System.Collections.Concurrent;
using OrleansCompute.Runtime;

namespace OrleansCompute.Storage;

/// <summary>
/// The <see cref="IGrainLogStorage"/> capability of <see cref="MemoryGrainStorage"/>: per (state name, grain id)
/// a snapshot and the records after it, guarded by one lock per log. Bytes are copied on the way in and
/// out, so callers cannot change what is stored.
/// </summary>
public sealed partial class MemoryGrainStorage : IGrainLogStorage
{
    private readonly ConcurrentDictionary<RecordKey, MemoryLog> _logs = new();

    public Task<GrainLog> ReadLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        ValidateLogArguments(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_logs.TryGetValue(new RecordKey(stateName, grainId), out var log))
        {
            return Task.FromResult(GrainLog.Empty);
        }

        lock (log)
        {
            var records = new GrainLogRecord[log.Records.Count];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = new GrainLogRecord(log.SnapshotSequence + 1 + i, log.Records[i]);
            }

            ReadOnlyMemory<byte>? snapshot = log.Snapshot is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(log.Snapshot);
            return Task.FromResult(new GrainLog(log.SnapshotSequence, snapshot, records));
        }
    }

    public Task AppendLogAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default)
    {
        ValidateLogArguments(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();
        var log = _logs.GetOrAdd(new RecordKey(stateName, grainId), static _ => new MemoryLog());
        lock (log)
        {
            var last = log.SnapshotSequence + log.Records.Count;
            if (sequence != last + 1)
            {
                throw LogConflict("append", stateName, grainId, $"record {sequence} does not follow the last stored sequence {last}");
            }

            log.Records.Add(record.ToArray());
        }

        return Task.CompletedTask;
    }

    public Task WriteLogSnapshotAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken = default)
    {
        ValidateLogArguments(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();
        var log = _logs.GetOrAdd(new RecordKey(stateName, grainId), static _ => new MemoryLog());
        lock (log)
        {
            var last = log.SnapshotSequence + log.Records.Count;
            if (sequence < log.SnapshotSequence || sequence > last)
            {
                throw LogConflict("snapshot", stateName, grainId,
                    $"snapshot sequence {sequence} is outside the stored range {log.SnapshotSequence}..{last}");
            }

            log.Records.RemoveRange(0, (int)(sequence - log.SnapshotSequence));
            log.SnapshotSequence = sequence;
            log.Snapshot = snapshot.ToArray();
        }

        return Task.CompletedTask;
    }

    public Task ClearLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        ValidateLogArguments(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();
        if (_logs.TryGetValue(new RecordKey(stateName, grainId), out var log))
        {
            // Emptied in place (not removed), so an append racing the clear cannot land in a detached log.
            lock (log)
            {
                log.Records.Clear();
                log.Snapshot = null;
                log.SnapshotSequence = 0;
            }
        }

        return Task.CompletedTask;
    }

    private InconsistentStateException LogConflict(string operation, string stateName, GrainId grainId, string detail)
        => new($"{_description} refused to {operation} log '{stateName}' of grain '{grainId}': {detail}.");

    private static void ValidateLogArguments(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default value.", nameof(grainId));
        }
    }

    private sealed class MemoryLog
    {
        public long SnapshotSequence { get; set; }

        public byte[]? Snapshot { get; set; }

        public List<byte[]> Records { get; } = [];
    }
}
