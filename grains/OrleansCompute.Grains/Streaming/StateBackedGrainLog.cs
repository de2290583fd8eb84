using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansCompute.Storage;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// <see cref="IGrainLogStorage"/> for one grain over a plain <see cref="IGrainStorage"/> provider that lacks the
/// log capability: snapshot and records live in one state record written with the provider's ETag check, so
/// every append rewrites the records since the last snapshot (bounded by the snapshot policy). Correct on any
/// provider; fast only on those that implement <see cref="IGrainLogStorage"/> themselves.
/// One instance per activation (it holds the record's ETag); not thread-safe.
/// With <paramref name="claimOnRead"/> (clustered silos), reading an existing log claims it: the record is written back
/// as read, which rotates its ETag, so no late append of an earlier activation on a cut-off silo can land after it
/// (the claim on activation, as <c>ClaimingPersistentStateFactory</c> does for <c>[PersistentState]</c>).
/// </summary>
public sealed class StateBackedGrainLog(IGrainStorage storage, bool claimOnRead = false) : IGrainLogStorage
{
    private readonly GrainState<StoredGrainLog> _state = new(new StoredGrainLog());

    public async Task<GrainLog> ReadLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        await storage.ReadStateAsync(stateName, grainId, _state, cancellationToken);
        for (var attempt = 1; claimOnRead && _state.RecordExists; attempt++)
        {
            try
            {
                await storage.WriteStateAsync(stateName, grainId, _state, cancellationToken);
                break;
            }
            catch (InconsistentStateException) when (attempt < 4)
            {
                // A late append of the previous owner landed between our read and our claim: read it and claim again.
                await storage.ReadStateAsync(stateName, grainId, _state, cancellationToken);
            }
        }

        _state.State ??= new StoredGrainLog();
        var stored = _state.State!;
        var records = stored.Records.Select((r, i) => new GrainLogRecord(stored.SnapshotSequence + 1 + i, r)).ToList();
        return new GrainLog(stored.SnapshotSequence, stored.Snapshot is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(stored.Snapshot), records);
    }

    public async Task AppendLogAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default)
    {
        var stored = _state.State!;
        var last = stored.SnapshotSequence + stored.Records.Count;
        if (sequence != last + 1)
        {
            throw new InconsistentStateException($"Log '{stateName}' of {grainId}: record {sequence} does not follow the last sequence {last}.");
        }

        stored.Records.Add(record.ToArray());
        try
        {
            await storage.WriteStateAsync(stateName, grainId, _state, cancellationToken);
        }
        catch
        {
            stored.Records.RemoveAt(stored.Records.Count - 1);
            throw;
        }
    }

    public async Task WriteLogSnapshotAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken = default)
    {
        var stored = _state.State!;
        var last = stored.SnapshotSequence + stored.Records.Count;
        if (sequence < stored.SnapshotSequence || sequence > last)
        {
            throw new InconsistentStateException($"Log '{stateName}' of {grainId}: snapshot {sequence} is outside {stored.SnapshotSequence}..{last}.");
        }

        _state.State = new StoredGrainLog
        {
            SnapshotSequence = sequence,
            Snapshot = snapshot.ToArray(),
            Records = stored.Records.Skip((int)(sequence - stored.SnapshotSequence)).ToList(),
        };
        try
        {
            await storage.WriteStateAsync(stateName, grainId, _state, cancellationToken);
        }
        catch
        {
            _state.State = stored;
            throw;
        }
    }

    public Task ClearLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
        => storage.ClearStateAsync(stateName, grainId, _state, cancellationToken);
}

/// <summary>The single state record behind <see cref="StateBackedGrainLog"/>.</summary>
[GenerateSerializer]
public sealed class StoredGrainLog
{
    [Id(0)]
    public long SnapshotSequence { get; set; }

    [Id(1)]
    public byte[]? Snapshot { get; set; }

    [Id(2)]
    public List<byte[]> Records { get; set; } = [];
}
