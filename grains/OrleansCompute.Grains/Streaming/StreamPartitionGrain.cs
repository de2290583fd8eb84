using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansCompute.Grains.Placement;
using OrleansCompute.Hosting;
using OrleansCompute.Storage;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Implements <see cref="IStreamPartitionGrain"/> with group commit over an append-only log.
/// </summary>
/// <remarks>
/// <para><b>Apply</b> checks the producer's dedup window (sequence and batch fingerprint) and adds the events to the <em>pending group</em>
/// (per-shard, per-key increments); it does not touch the committed totals. One commit loop at a time takes the
/// pending group, appends it as one binary log record (<see cref="IGrainLogStorage"/>: the provider may also
/// commit many grains' appends in one transaction), merges it into the committed totals, pushes each shard's
/// increments to its aggregator, and only then completes every Apply in the group. Calls arriving meanwhile
/// (the grain is reentrant) form the next group, so the number of writes adapts to the load.</para>
/// <para>A duplicate joins the pending group too, so it is acknowledged only after the group holding the original
/// (this one or an earlier one) is durable. If an append fails (outcome unknown) the activation stops accepting
/// work and deactivates; the next activation replays snapshot + log, so the dedup windows and totals are exactly
/// what was persisted. If a push fails, the group's callers get the error (their events are durable; the re-send is
/// a duplicate) and the next push to that shard is a full resynchronization.</para>
/// <para>The log is folded into a snapshot once the bytes appended since the last one reach the snapshot's own
/// size (at least <see cref="MinSnapshotBytes"/>), so replay is bounded and snapshot cost is amortized O(1) per event.</para>
/// <para><b>Placement</b>: a dataset's 16 partitions are spread evenly over the silos (<see cref="SpreadPlacement"/>), and
/// each activation checks every <see cref="RebalancePeriod"/> where the spread puts it in its silo's current view of the
/// cluster; once two checks in a row name another silo (silos joined or left, and the view has settled), it migrates
/// there (<see cref="Grain.MigrateOnIdle"/>): Orleans lets the calls in progress finish, holds new ones, deactivates
/// this activation (its commit loop and snapshot finish first, see <see cref="OnDeactivateAsync"/>) and forwards the
/// held calls to the new activation, which replays snapshot + log. Everything acknowledged is in the log, so nothing
/// acknowledged is lost, and the replayed producer windows recognise any re-sent batch.</para>
/// </remarks>
[Reentrant]
[SpreadPlacement] // a dataset's 16 partitions spread evenly over the silos, and follow the spread when silos join or leave
public sealed partial class StreamPartitionGrain(Serializer serializer, ILogger<StreamPartitionGrain> logger) : Grain, IStreamPartitionGrain
{
    /// <summary>The log's state name (records are keyed by state name and grain id).</summary>
    public const string LogName = "stream-partition-log";

    /// <summary>
    /// A snapshot is written once at least this many log bytes (and at least the last snapshot's size) were appended
    /// since the previous one. Default 256 KiB. Silo-wide; lower it to bound replay time, or in tests to force snapshots.
    /// </summary>
    public static int MinSnapshotBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How often an activation checks that it is on the silo the spread gives it (two checks in a row must agree before
    /// it moves, so a new silo takes its share within about two to three periods of being seen). Default 5 s. Silo-wide.
    /// </summary>
    public static TimeSpan RebalancePeriod { get; set; } = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, KeyTotals>[] _totals = NewShards();
    private readonly Dictionary<string, ProducerWindow> _producers = new(StringComparer.Ordinal);
    private readonly string _epoch = Guid.NewGuid().ToString("N");
    private readonly long[] _shardSequence = new long[StreamTopology.Shards];
    private readonly bool[] _resync = Enumerable.Repeat(true, StreamTopology.Shards).ToArray();
    private IGrainLogStorage _log = null!;
    private string _dataset = "";
    private long _lastSequence;
    private long _snapshotBytes;
    private long _bytesSinceSnapshot;
    private Group _pending = new();
    private bool _committing;
    private Task? _commitLoop;
    private Exception? _broken;
    private IGrainTimer? _rebalance;
    private SiloAddress? _moveTo; // the other silo the previous check named
    private SiloDrain? _drain;
    private CancellationTokenRegistration _onDrain;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _dataset = StreamTopology.DatasetOf(this.GetPrimaryKeyString());
        _log = ResolveLog(ServiceProvider);
        var log = await _log.ReadLogAsync(LogName, this.GetGrainId(), cancellationToken);
        if (log.Snapshot is { } snapshotBytes)
        {
            var snapshot = serializer.Deserialize<PartitionSnapshot>(snapshotBytes.Span)!;
            foreach (var shard in snapshot.Shards)
            {
                foreach (var (key, totals) in shard)
                {
                    _totals[StreamTopology.ShardOf(key)][key] = totals;
                }
            }

            foreach (var (producer, window) in snapshot.Producers)
            {
                _producers[producer] = window;
            }

            _snapshotBytes = snapshotBytes.Length;
        }

        foreach (var record in log.Records)
        {
            var entry = serializer.Deserialize<PartitionLogRecord>(record.Data.Span)!;
            foreach (var batch in entry.Batches)
            {
                WindowOf(batch.ProducerId).TryAccept(batch.Sequence, batch.Fingerprint);
            }

            foreach (var shard in entry.Shards)
            {
                Merge(shard);
            }

            _bytesSinceSnapshot += record.Data.Length;
        }

        _lastSequence = log.LastSequence;
        var period = RebalancePeriod;
        if (period > TimeSpan.Zero)
        {
            var due = period + TimeSpan.FromMilliseconds(Random.Shared.Next((int)Math.Min(int.MaxValue, period.TotalMilliseconds))); // not all 16 at once
            _rebalance = this.RegisterGrainTimer(CheckPlacement, new GrainTimerCreationOptions(due, period) { Interleave = true, KeepAlive = false });
        }

        // The silo drains: leave for another silo before Orleans deactivates everything (see SiloDrain). Orleans's
        // Migrate may be called from any thread; it lets the calls in progress finish and forwards the held ones.
        if (ServiceProvider.GetService<SiloDrain>() is { } drain)
        {
            _drain = drain;
            drain.PartitionActivated();
            var context = GrainContext;
            _onDrain = drain.Draining.Register(() => context.Migrate(null));
        }
    }

    /// <summary>
    /// On deactivation (idle collection, a move, the silo stopping): the calls in progress have finished; the commit loop
    /// may still be writing a snapshot after its last group — let it finish, so the next activation reads it.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _rebalance?.Dispose();
        await _onDrain.DisposeAsync();
        try
        {
            if (_commitLoop is { IsCompleted: false } loop)
            {
                await loop.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Out of time: the log holds every acknowledged batch, the snapshot is only a shortcut.
        }
        finally
        {
            _drain?.PartitionDeactivated();
            _drain = null;
        }
    }

    private Task CheckPlacement(CancellationToken cancellationToken)
    {
        if (_broken is not null || ServiceProvider.GetService<SiloDrain>() is { IsDraining: true }
            || ServiceProvider.GetService<SpreadPlacementDirector>() is not { } director)
        {
            return Task.CompletedTask; // a silo that stops moves everything anyway
        }

        var here = GrainContext.Address.SiloAddress!;
        var preferred = director.PreferredSilo(this.GetGrainId());
        if (preferred is null || preferred.Equals(here))
        {
            _moveTo = null;
            return Task.CompletedTask;
        }

        if (!preferred.Equals(_moveTo))
        {
            _moveTo = preferred; // first sighting: move only if the next check agrees (views settle after a join)
            return Task.CompletedTask;
        }

        LogMoving(logger, GrainContext.GrainId, here, preferred);
        _rebalance?.Dispose();
        MigrateOnIdle();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream partition {Partition} moves from {From} to {To}, its place in the cluster as it is now")]
    private static partial void LogMoving(ILogger logger, GrainId partition, SiloAddress from, SiloAddress to);

    public async Task<int> Apply(string producerId, long sequence, ulong fingerprint, List<IngestEvent> events)
    {
        ArgumentException.ThrowIfNullOrEmpty(producerId);
        ArgumentNullException.ThrowIfNull(events);
        ThrowIfBroken();
        var group = _pending;
        var applied = 0;
        var window = WindowOf(producerId);
        var verdict = window.TryAccept(sequence, fingerprint);
        switch (verdict)
        {
            case BatchVerdict.New:
                group.Add(producerId, sequence, fingerprint, events);
                applied = events.Count;
                break;
            case BatchVerdict.Conflict:
            case BatchVerdict.BelowWindow:
                // Refused before anything is recorded: the batch's other partitions judge it the same way, as they record
                // every sequence of the producer (the ingest grain sends each batch to all of them).
                throw new IngestConflictException(producerId, sequence, window.Highest, verdict == BatchVerdict.BelowWindow, 0);
        }

        Telemetry.ComputeInstrumentation.StreamApplied(applied, events.Count - applied);

        group.Waiters++;
        if (!_committing)
        {
            _commitLoop = CommitLoopAsync();
        }

        await group.Completion.Task;
        return applied;
    }

    public Task<KeyTotals?> GetTotals(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Task.FromResult(_totals[StreamTopology.ShardOf(key)].GetValueOrDefault(key)?.Clone());
    }

    public Task<StreamDelta> GetShardSnapshot(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, StreamTopology.Shards);

        // Committed totals only (pending groups are not merged yet), numbered with the last delta sent to that shard:
        // a delta still in flight is then recognised as merged, and the next one follows on.
        return Task.FromResult(FullDelta(shard, _shardSequence[shard]));
    }

    /// <summary>The log provider for a partition: the default storage if it has the log capability, else a state-backed log over it.</summary>
    internal static IGrainLogStorage ResolveLog(IServiceProvider services)
    {
        var name = Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME;
        if (services.GetKeyedService<IGrainLogStorage>(name) is { } log)
        {
            return log;
        }

        var storage = services.GetKeyedService<IGrainStorage>(name) ?? throw new InvalidOperationException(
            $"Streaming partitions need grain storage '{name}', but none is registered. Add one when configuring the silo, e.g. silo.AddSqliteGrainStorageAsDefault(...).");
        return storage as IGrainLogStorage
            ?? new StateBackedGrainLog(storage, services.GetService<OrleansCompute.Hosting.FencingSettings>()?.ShouldClaim(services) == true);
    }

    private async Task CommitLoopAsync()
    {
        _committing = true;
        try
        {
            // Leave the turn that started the loop (an Apply) before calling aggregators. Orleans runs the synchronous start
            // of a request while holding the activation's lock and delivers a local call by taking the target's lock: an
            // aggregator asking this partition for its snapshot at that moment (then from its activation) deadlocked with it (both
            // threads blocked for good; seen on new datasets). The yield also lets Applies arriving meanwhile join the group.
            await Task.Yield();
            while (_pending.Waiters > 0)
            {
                var group = _pending;
                _pending = new Group();
                if (_broken is { } broken)
                {
                    group.Completion.TrySetException(Restarting(broken));
                    continue;
                }

                try
                {
                    await CommitAsync(group);
                    group.Completion.TrySetResult();
                }
                catch (Exception ex)
                {
                    group.Completion.TrySetException(ex);
                    continue;
                }

                await MaybeSnapshotAsync();
            }
        }
        finally
        {
            _committing = false;
        }
    }

    private async Task CommitAsync(Group group)
    {
        if (group.Batches.Count > 0)
        {
            var sequence = _lastSequence + 1;
            int length;
            try
            {
                var record = new PartitionLogRecord { Batches = group.Batches };
                for (var s = 0; s < StreamTopology.Shards; s++)
                {
                    record.Shards.Add(group.Shards[s] ?? []);
                }

                var bytes = serializer.SerializeToArray(record);
                length = bytes.Length;
                var started = Telemetry.ComputeInstrumentation.LogAppendStarting();
                await _log.AppendLogAsync(LogName, this.GetGrainId(), sequence, bytes);
                Telemetry.ComputeInstrumentation.LogAppended(group.Batches.Count, length, started);
            }
            catch (Exception ex)
            {
                // The dedup windows already accepted these batches, and the append's outcome is unknown (or another
                // activation wrote): this activation's memory may differ from the log, so it must restart from the log.
                Break(ex);
                throw;
            }

            _lastSequence = sequence;
            _bytesSinceSnapshot += length;
            foreach (var shard in group.Shards)
            {
                if (shard is not null)
                {
                    Merge(shard);
                }
            }
        }

        List<Task>? pushes = null;
        for (var s = 0; s < StreamTopology.Shards; s++)
        {
            StreamDelta? delta = null;
            if (_resync[s])
            {
                _resync[s] = false;
                delta = FullDelta(s, ++_shardSequence[s]);
            }
            else if (group.Shards[s] is { Count: > 0 } increments)
            {
                // Handed over: the group's dictionaries are never touched again here.
                delta = new StreamDelta { PartitionId = this.GetPrimaryKeyString(), Epoch = _epoch, Sequence = ++_shardSequence[s], Keys = increments, Position = _lastSequence };
            }

            if (delta is not null)
            {
                (pushes ??= []).Add(PushAsync(s, delta));
            }
        }

        if (pushes is not null)
        {
            await Task.WhenAll(pushes);
        }
    }

    private async Task PushAsync(int shard, StreamDelta delta)
    {
        var aggregator = GrainFactory.GetGrain<IStreamAggregatorGrain>(StreamTopology.ShardKey(_dataset, shard));
        try
        {
            if (!await aggregator.ApplyDelta(delta))
            {
                // The aggregator does not hold this epoch (it was re-activated) or missed a delta: send everything.
                if (!await aggregator.ApplyDelta(FullDelta(shard, ++_shardSequence[shard])))
                {
                    throw new InvalidOperationException($"Aggregator {StreamTopology.ShardKey(_dataset, shard)} refused a full delta from {this.GetPrimaryKeyString()}.");
                }
            }
        }
        catch
        {
            _resync[shard] = true;
            throw;
        }
    }

    private async Task MaybeSnapshotAsync()
    {
        if (_bytesSinceSnapshot < Math.Max(MinSnapshotBytes, _snapshotBytes))
        {
            return;
        }

        var snapshot = new PartitionSnapshot { Shards = [.. _totals], Producers = _producers };
        var bytes = serializer.SerializeToArray(snapshot);
        try
        {
            await _log.WriteLogSnapshotAsync(LogName, this.GetGrainId(), _lastSequence, bytes);
            Telemetry.ComputeInstrumentation.LogSnapshotWritten(bytes.Length);
            _snapshotBytes = bytes.Length;
            _bytesSinceSnapshot = 0;
        }
        catch (InconsistentStateException ex)
        {
            Break(ex); // another activation wrote this log
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The log still holds everything; try again after the next commit.
        }
    }

    private StreamDelta FullDelta(int shard, long sequence)
    {
        var keys = new Dictionary<string, KeyTotals>(_totals[shard].Count, StringComparer.Ordinal);
        foreach (var (key, totals) in _totals[shard])
        {
            keys[key] = totals.Clone();
        }

        return new StreamDelta { PartitionId = this.GetPrimaryKeyString(), Epoch = _epoch, Sequence = sequence, Keys = keys, Full = true, Position = _lastSequence };
    }

    private void Merge(Dictionary<string, KeyTotals> increments)
    {
        foreach (var (key, increment) in increments)
        {
            var shard = _totals[StreamTopology.ShardOf(key)];
            if (!shard.TryGetValue(key, out var totals))
            {
                shard[key] = totals = new KeyTotals();
            }

            totals.Merge(increment);
        }
    }

    private ProducerWindow WindowOf(string producerId)
    {
        if (!_producers.TryGetValue(producerId, out var window))
        {
            _producers[producerId] = window = new ProducerWindow();
        }

        return window;
    }

    private void Break(Exception ex)
    {
        if (_broken is null)
        {
            _broken = ex;
            DeactivateOnIdle();
        }
    }

    private void ThrowIfBroken()
    {
        if (_broken is { } broken)
        {
            throw Restarting(broken);
        }
    }

    private InvalidOperationException Restarting(Exception cause) => new(
        $"Stream partition {this.GetPrimaryKeyString()} could not persist a batch ({cause.Message}) and is restarting from its log; re-send the batch.", cause);

    private static Dictionary<string, KeyTotals>[] NewShards()
    {
        var shards = new Dictionary<string, KeyTotals>[StreamTopology.Shards];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = new Dictionary<string, KeyTotals>(StringComparer.Ordinal);
        }

        return shards;
    }

    /// <summary>Batches accepted since the last commit started, and the callers waiting for them.</summary>
    private sealed class Group
    {
        public List<ProducerSequence> Batches { get; } = [];

        /// <summary>Per shard, per-key increments (null until the shard gets a key).</summary>
        public Dictionary<string, KeyTotals>?[] Shards { get; } = new Dictionary<string, KeyTotals>?[StreamTopology.Shards];

        public int Waiters { get; set; }

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(string producerId, long sequence, ulong fingerprint, List<IngestEvent> events)
        {
            Batches.Add(new ProducerSequence(producerId, sequence, fingerprint));
            foreach (var e in events)
            {
                var s = StreamTopology.ShardOf(e.Key);
                var shard = Shards[s] ??= new Dictionary<string, KeyTotals>(StringComparer.Ordinal);
                if (!shard.TryGetValue(e.Key, out var totals))
                {
                    shard[e.Key] = totals = new KeyTotals();
                }

                totals.Add(e);
            }
        }
    }
}
