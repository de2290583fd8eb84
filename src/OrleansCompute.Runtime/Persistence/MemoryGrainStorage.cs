using System.Collections.Concurrent;
using System.Globalization;
using OrleansCompute.Runtime;

namespace OrleansCompute.Storage;

/// <summary>
/// An in-process <see cref="IGrainStorage"/>: for tests, the in-memory test cluster and single-silo
/// runs where state need not outlive the process. Everything is lost when the process exits.
/// </summary>
/// <remarks>
/// <para>Follows the full <see cref="IGrainStorage"/> contract, so code tested against it behaves the same
/// on a durable provider. Records are keyed by (state name, grain id) and hold the state
/// <em>serialized</em> (through the configured <see cref="IGrainStorageSerializer"/>): a grain that
/// mutates its state object after a write cannot change what is stored, a refused write leaves the
/// stored bytes untouched, and states that do not serialize fail here as they would in production.</para>
/// <para>Thread-safe without locks: each record is an immutable (bytes, ETag) pair swapped with
/// compare-and-set, so of several writers holding the same ETag exactly one wins. ETags are
/// a per-instance counter, so every write (including a write after a clear) gets a new one.</para>
/// </remarks>
public sealed partial class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<RecordKey, StoredRecord> _records = new();
    private readonly string _description;
    private readonly IGrainStorageSerializer _serializer;
    private long _lastVersion;

    /// <param name="name">The provider name (used in error messages).</param>
    /// <param name="serializer">Turns state into the stored bytes and back.</param>
    public MemoryGrainStorage(string name, IGrainStorageSerializer serializer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(serializer);
        Name = name;
        _serializer = serializer;
        _description = $"{nameof(MemoryGrainStorage)} '{name}'";
    }

    /// <summary>The provider name this instance is registered under.</summary>
    public string Name { get; }

    /// <summary>How many records are stored (for diagnostics and tests).</summary>
    public int Count => _records.Count;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ValidateArguments(stateName, grainId, grainState);
        cancellationToken.ThrowIfCancellationRequested();

        if (!_records.TryGetValue(new RecordKey(stateName, grainId), out var record))
        {
            GrainStateDefaults.Reset(grainState);
            return Task.CompletedTask;
        }

        T state;
        try
        {
            state = _serializer.Deserialize<T>(record.Data);
        }
        catch (Exception ex)
        {
            throw new GrainStorageException(_description, "read", stateName, grainId, ex);
        }

        grainState.State = state;
        grainState.ETag = record.ETag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ValidateArguments(stateName, grainId, grainState);
        cancellationToken.ThrowIfCancellationRequested();

        byte[] data;
        try
        {
            data = _serializer.Serialize(grainState.State);
        }
        catch (Exception ex)
        {
            throw new GrainStorageException(_description, "write", stateName, grainId, ex);
        }

        var key = new RecordKey(stateName, grainId);
        var expected = grainState.ETag;
        var replacement = new StoredRecord(data, NextETag());
        bool written;
        if (expected is null)
        {
            written = _records.TryAdd(key, replacement);
        }
        else
        {
            written = _records.TryGetValue(key, out var current)
                && string.Equals(current.ETag, expected, StringComparison.Ordinal)
                && _records.TryUpdate(key, replacement, current);
        }

        if (!written)
        {
            throw Conflict("write", stateName, grainId, key, expected);
        }

        grainState.ETag = replacement.ETag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ValidateArguments(stateName, grainId, grainState);
        cancellationToken.ThrowIfCancellationRequested();

        var key = new RecordKey(stateName, grainId);
        var expected = grainState.ETag;
        bool cleared;
        if (_records.TryGetValue(key, out var current))
        {
            // Remove only the exact record whose tag we checked, so a concurrent write wins over a stale clear.
            cleared = string.Equals(current.ETag, expected, StringComparison.Ordinal)
                && _records.TryRemove(new KeyValuePair<RecordKey, StoredRecord>(key, current));
        }
        else
        {
            // Nothing stored: clearing is a no-op for a caller that expected no record, a conflict for one that expected a record.
            cleared = expected is null;
        }

        if (!cleared)
        {
            throw Conflict("clear", stateName, grainId, key, expected);
        }

        GrainStateDefaults.Reset(grainState);
        return Task.CompletedTask;
    }

    private string NextETag() => Interlocked.Increment(ref _lastVersion).ToString(CultureInfo.InvariantCulture);

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, RecordKey key, string? expected)
    {
        var stored = _records.TryGetValue(key, out var current) ? current.ETag : null;
        return new InconsistentStateException(
            $"{_description} refused to {operation} state '{stateName}' of grain '{grainId}': the ETag does not match the stored record.",
            stored,
            expected);
    }

    private static void ValidateArguments<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default value.", nameof(grainId));
        }
    }

    private readonly record struct RecordKey(string StateName, GrainId GrainId);

    // Immutable, compared by reference: TryUpdate/TryRemove swap exactly the instance whose ETag was checked.
    private sealed class StoredRecord(byte[] data, string eTag)
    {
        public byte[] Data { get; } = data;

        public string ETag { get; } = eTag;
    }
}
