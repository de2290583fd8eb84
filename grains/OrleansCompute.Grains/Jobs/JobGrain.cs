using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansCompute.Hosting;
using OrleansCompute.Storage;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// Drives one batch job: plan → map (partition grains, bounded parallelism, retries) → collect the aggregators'
/// shards → finish. Every step is persisted before the next is dispatched, and a (re)activation with a queued
/// or running state resumes from there, skipping the splits already merged. Reentrant so that status, cancel
/// and pings are answered while the job runs; state writes go through one <see cref="SerialGate"/>.
/// When its silo stops (<see cref="SiloDrain"/>) the job dispatches no new split, lets the splits in flight finish and
/// persists their progress; on deactivation it registers with the registry again, whose pings activate it on a silo
/// that stays, where it goes on from that progress.
/// </summary>
[Reentrant]
public sealed partial class JobGrain(
    [PersistentState("job")] IPersistentState<JobGrainState> state,
    ILogger<JobGrain> logger,
    Serializer serializer) : Grain, IJobGrain
{
    private const int MaxCollectRounds = 3;
    private static readonly TimeSpan s_compactDelay = TimeSpan.FromSeconds(10);

    private readonly SerialGate _writes = new();
    private JobGrainOptions _options = new();
    private IGrainTimer? _timer;
    private Task? _driving;
    private ComputeJobSpec? _spec;
    private SplitPlan? _plan;
    private IComputeJobRunner? _runner;
    private ComputeJobResult? _result;
    private Task<ComputeJobResult>? _loadingResult;
    private byte[]? _resultBytes; // a result kept in the shards, once served: serialized here, not persisted again
    private Task? _compacting;
    private SplitLedger? _ledger; // per-split records; persisted with every write (SplitRecords)
    private JobState? _reportedState; // while a final state is being written: the state status and result still report
    private TaskCompletionSource? _ended; // completed once a final state is durable (WaitForEnd callers)
    private SiloDrain? _drain;
    private bool _deactivating;

    private JobGrainState S => state.State;

    /// <summary>The state callers see: a final state only once it is durable.</summary>
    private JobState Reported => _reportedState ?? S.State;

    private string JobId => this.GetPrimaryKeyString();

    private bool IsActive => S.Submitted && S.State is JobState.Queued or JobState.Running;

    /// <summary>The silo is stopping or this activation is being deactivated: no new split, no new drive.</summary>
    private bool Draining => _deactivating || _drain is { IsDraining: true };

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _options = JobRunners.Options(ServiceProvider);
        _drain = ServiceProvider.GetService(typeof(SiloDrain)) as SiloDrain;
        if (IsActive)
        {
            // A running job whose previous activation is gone (deactivated, or its silo died): resume it.
            S.Resumes++;
            LogResuming(logger, JobId, S.State, S.DoneSplits.Count, S.SplitsTotal);
            await Persist();
            StartTimer();
        }
    }

    /// <summary>
    /// Lets the drive in progress end (it dispatches nothing new; the splits in flight finish and are persisted), within
    /// Orleans's deactivation time. A running job that is deactivated because its silo stops registers with the registry
    /// replicas again — those on this silo come back elsewhere — so their pings resume it on a silo that stays.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true;
        _timer?.Dispose();
        _timer = null;
        _ended?.TrySetResult(); // waiters get the status as it is; they ask the next activation
        try
        {
            if (_driving is { IsCompleted: false } driving)
            {
                await driving.WaitAsync(cancellationToken);
            }

            if (IsActive && reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
            {
                await KeepRegistered().WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Out of time: the next activation re-runs the splits that were in flight (the aggregators' ledgers keep it exact).
        }
    }

    public async Task<JobStatus> Submit(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.JobId.Length != 0 && !string.Equals(spec.JobId, JobId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The spec names job '{spec.JobId}' but was submitted to job '{JobId}'.", nameof(spec));
        }

        var copy = serializer.Deserialize<ComputeJobSpec>(serializer.SerializeToArray(spec))!;
        copy.JobId = JobId;
        var bytes = serializer.SerializeToArray(copy);
        if (S.Submitted)
        {
            if (!bytes.AsSpan().SequenceEqual(S.Spec))
            {
                throw new InvalidOperationException($"Job '{JobId}' was already submitted with a different spec.");
            }

            return GetStatusCore();
        }

        JobRunners.Create(ServiceProvider, copy); // validates the kind and its options before accepting
        S.Submitted = true;
        S.State = JobState.Queued;
        S.Spec = bytes;
        S.SubmittedAt = DateTimeOffset.UtcNow;
        S.TraceParent = Telemetry.ComputeInstrumentation.CurrentTraceParent(); // every run of the job joins the submission's trace
        await Persist();
        StartTimer();
        EnsureDriving(); // planning starts now; registering (five replicas, each persisting) goes on beside it
        await KeepRegistered();
        return GetStatusCore();
    }

    public Task<JobStatus> GetStatus() => Task.FromResult(GetStatusCore());

    public Task<SplitPage> GetSplits(int offset, int limit, SplitState? state)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 0);
        return Task.FromResult(Ledger()?.Page(offset, limit, state) ?? new SplitPage());
    }

    /// <summary>
    /// The per-split records: the persisted ones, or — a job planned before they were kept, or whose records cannot be
    /// read — its done splits with nothing else known (empty for a plan without splits). Null before planning.
    /// </summary>
    private SplitLedger? Ledger()
    {
        if (_ledger is not null || S.State == JobState.Queued) // queued: not planned yet (or nothing submitted)
        {
            return _ledger;
        }

        if (S.SplitRecords is { } bytes)
        {
            try
            {
                _ledger = SplitLedger.Decode(bytes);
            }
            catch (InvalidDataException ex)
            {
                LogSplitRecordsUnreadable(logger, JobId, ex);
            }
        }

        if (_ledger is null || _ledger.Count != S.SplitsTotal)
        {
            _ledger = SplitLedger.FromDone(S.SplitsTotal, S.DoneSplits);
        }

        return _ledger;
    }

    public async Task<JobStatus> WaitForEnd(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero || timeout > JobWait.Max)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"Wait between 0 and {JobWait.Max}.");
        }

        if (S.Submitted && Reported is JobState.Queued or JobState.Running && timeout > TimeSpan.Zero)
        {
            _ended ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await Task.WhenAny(_ended.Task, Task.Delay(timeout, _drain?.Draining ?? CancellationToken.None)); // a stopping silo answers now
        }

        return GetStatusCore();
    }

    public async Task<ComputeJobResult?> GetResult()
    {
        if (Reported != JobState.Completed)
        {
            return null;
        }

        // The result object is kept only until it has been served once: a word count's holds every distinct word
        // (221,276 objects for GCIDE), which finished jobs would otherwise keep in memory — and in every full GC's
        // marking — until their grains are collected. After that it is kept as bytes and read anew per call.
        if (_result is { } result)
        {
            Compact(result);
            return result;
        }

        if ((_resultBytes ?? S.Result) is { } bytes)
        {
            return bytes.Length < 64 * 1024
                ? serializer.Deserialize<ComputeJobResult>(bytes)!
                : await ComputeThreads.Run(() => serializer.Deserialize<ComputeJobResult>(bytes)!);
        }

        if (!S.ResultInShards)
        {
            return null;
        }

        var loading = _loadingResult ??= LoadResultFromShards();
        try
        {
            result = await loading;
            Compact(result);
            return result;
        }
        finally
        {
            _loadingResult = null; // loaded (then compacted), or an aggregator was unreachable: the next call tries again
        }
    }

    /// <summary>Drops the result object for bytes: the persisted ones, or (result kept in the shards) serialized off the grain's turn.</summary>
    private void Compact(ComputeJobResult result)
    {
        if (S.Result is not null || _resultBytes is not null)
        {
            _result = null;
            return;
        }

        if (_compacting is null)
        {
            _result = result;
            _compacting = CompactLater(result);
        }
    }

    private async Task CompactLater(ComputeJobResult result)
    {
        await Task.Delay(s_compactDelay); // out of the way of the answer being sent and of the next job starting
        var bytes = await ComputeThreads.Run(() => serializer.SerializeToArray(result));
        _resultBytes = bytes;
        _result = null;
    }

    private async Task<ComputeJobResult> LoadResultFromShards()
    {
        _spec ??= serializer.Deserialize<ComputeJobSpec>(S.Spec!)!;
        _runner ??= JobRunners.Create(ServiceProvider, _spec);
        var shards = await FinishShards();
        return await ComputeThreads.Run(() => _runner.JoinShardResults([.. shards.Select(s => s.Result)]));
    }

    private Task<ShardResult[]> FinishShards() => Task.WhenAll(Enumerable.Range(0, S.ShardCount).Select(i =>
        Retry(() => GrainFactory.GetGrain<IAggregatorGrain>(JobKeys.Aggregator(JobId, i)).Finish(_spec!))));

    public async Task Cancel()
    {
        if (!IsActive)
        {
            return;
        }

        S.FinishedAt = DateTimeOffset.UtcNow;
        await PersistFinal(JobState.Cancelled);
        LogFinished(logger, JobId, S.State, S.DoneSplits.Count, S.SplitsTotal);
        await Unregister();
    }

    public async Task<JobDeletion> Delete()
    {
        if (!S.Submitted)
        {
            return JobDeletion.Unknown;
        }

        if (IsActive || Reported != S.State)
        {
            return JobDeletion.Running;
        }

        // A cancelled (or failed) job's splits still in flight would merge into shards after they were cleared.
        if (_driving is { IsCompleted: false } driving)
        {
            try
            {
                await driving.WaitAsync(TimeSpan.FromSeconds(5)); // no longer: the caller is told to ask again
            }
            catch (TimeoutException)
            {
                return JobDeletion.Finishing;
            }
        }

        // The shards first (a kind that joins shard results keeps its result there): should one fail, the job's own record
        // still says where they are, and deleting again finishes the work.
        await Task.WhenAll(Enumerable.Range(0, S.ShardCount).Select(i => GrainFactory.GetGrain<IAggregatorGrain>(JobKeys.Aggregator(JobId, i)).Clear()));
        await _writes.Run(() => state.ClearStateAsync());
        _result = null;
        _resultBytes = null;
        _spec = null;
        _plan = null;
        _ledger = null;
        LogDeleted(logger, JobId);
        DeactivateOnIdle();
        return JobDeletion.Deleted;
    }

    public Task<bool> Ping()
    {
        if (IsActive)
        {
            EnsureDriving();
        }

        return Task.FromResult(IsActive);
    }

    private JobStatus GetStatusCore() => new()
    {
        JobId = JobId,
        State = Reported,
        SplitsDone = S.DoneSplits.Count,
        SplitsTotal = S.SplitsTotal,
        BytesRead = S.BytesRead,
        BytesTotal = S.BytesTotal,
        RecordsRead = S.RecordsRead,
        BadRecords = S.BadRecords,
        PlanningTime = S.PlanningTime,
        MapTime = S.MapTime,
        MergeTime = S.MergeTime,
        Error = S.Error,
        Retries = S.Retries,
        Resumes = S.Resumes,
        SubmittedAt = S.SubmittedAt,
        FinishedAt = S.FinishedAt,
        Spec = S.Spec is { } spec ? serializer.Deserialize<ComputeJobSpec>(spec)! : null,
        SplitsBySilo = Ledger()?.DoneBySilo() ?? [],
        CollectTime = S.CollectTime,
        FinishTime = S.FinishTime,
    };

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(_options.TickInterval, _options.TickInterval) { Interleave = true, KeepAlive = true });

    private async Task Tick(CancellationToken cancellationToken)
    {
        if (!IsActive)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }

        EnsureDriving();
        await KeepRegistered();
    }

    private void EnsureDriving()
    {
        if ((_driving is null || _driving.IsCompleted) && !Draining)
        {
            _driving = Drive();
        }
    }

    /// <summary>Runs the job from its persisted state to a final state. Never throws; a transient failure is retried by the next tick.</summary>
    private async Task Drive()
    {
        using var activity = Telemetry.ComputeInstrumentation.StartJobRun(JobId, S.State, S.TraceParent);
        Telemetry.ComputeInstrumentation.Driving(1);
        try
        {
            _spec ??= serializer.Deserialize<ComputeJobSpec>(S.Spec!)!;
            _runner ??= JobRunners.Create(ServiceProvider, _spec);
            if (S.State == JobState.Queued)
            {
                await Plan();
            }

            for (var round = 0; round < MaxCollectRounds && S.State == JobState.Running; round++)
            {
                _plan ??= ReadPlan();
                await Map();
                if (Draining)
                {
                    return; // the splits in flight are done and persisted; the next activation goes on from there
                }

                if (S.State == JobState.Running)
                {
                    await Collect();
                }
            }

            if (S.State == JobState.Cancelled && S.ShardCount > 0)
            {
                // Map has waited for the splits in flight, so nothing merges any more: drop the partial shards.
                await ClearAggregators();
            }
        }
        catch (Exception ex) when (IsJobError(ex))
        {
            await Fail(ex.Message);
        }
#pragma warning disable CA1031 // anything else is transient (storage, messaging): the next tick drives again
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogDriveInterrupted(logger, JobId, ex);
            if (ex is InconsistentStateException)
            {
                DeactivateOnIdle(); // another activation wrote the state: re-read it on the next activation
            }
        }
        finally
        {
            Telemetry.ComputeInstrumentation.Driving(-1);
        }
    }

    private async Task Plan()
    {
        using var step = Telemetry.ComputeInstrumentation.StartJobStep("job plan", JobId);
        var watch = Stopwatch.StartNew();
        var roots = JobRunners.Roots(ServiceProvider);
        var sources = JobRunners.Sources(ServiceProvider);
        var input = _spec!.Input;
        var options = _options;
        var (plan, compact) = await ComputeThreads.Run(() =>
        {
            var planned = InputSources.Plan(input, roots, sources, total => options.SplitBytesFor(total, input.TargetSplitBytes), options.FileOpenCostBytes);
            return (planned, SplitPlanCodec.Encode(planned));
        });
        if (S.State != JobState.Queued)
        {
            return; // cancelled while planning
        }

        S.CompactPlan = compact;
        S.Plan = null;
        S.SplitsTotal = plan.Splits.Count;
        S.BytesTotal = plan.TotalBytes;
        S.ShardCount = Math.Clamp(_options.AggregatorCount, 1, Math.Max(1, plan.Splits.Count));
        S.PlanningTime = watch.Elapsed;
        _ledger = new SplitLedger(plan.Splits.Count);
        S.State = JobState.Running;
        await Persist(); // the plan is durable before any split is dispatched
        _plan = plan;
    }

    /// <summary>
    /// The persisted plan: its compact form, or — a job planned before compact plans, running across the upgrade — the
    /// field-by-field form it was written in (every split one range), which resumes as it is.
    /// </summary>
    private SplitPlan ReadPlan() => S.CompactPlan is { } compact
        ? SplitPlanCodec.Decode(compact)
        : serializer.Deserialize<SplitPlan>(S.Plan ?? throw new InvalidDataException($"Job '{JobId}' is running but has no persisted plan."))!;

    private async Task Map()
    {
        var done = new HashSet<int>(S.DoneSplits);
        var pending = new Queue<InputSplit>(_plan!.Splits.Where(s => !done.Contains(s.SplitId)));
        var inFlight = new List<Task<SplitReport>>();
        var maxInFlight = _options.EffectiveMaxSplitsInFlight;
        var watch = Stopwatch.StartNew();
        var mapBefore = S.MapTime;
        var ledger = Ledger()!;
        while (true)
        {
            while (S.State == JobState.Running && pending.Count > 0 && inFlight.Count < maxInFlight && !Draining)
            {
                var split = pending.Dequeue();
                ledger.Dispatched(split.SplitId);
                inFlight.Add(RunSplit(split, ledger));
            }

            if (inFlight.Count == 0)
            {
                break;
            }

            var completed = await Task.WhenAny(inFlight);
            inFlight.Remove(completed);
            var report = await completed; // a split that failed all its attempts fails the job (below)
            if (done.Add(report.SplitId))
            {
                Telemetry.ComputeInstrumentation.SplitDone(report);
                S.DoneSplits.Add(report.SplitId);
                S.BytesRead += report.Bytes;
                S.RecordsRead += report.Records;
                S.BadRecords += report.BadRecords;
                ledger.Done(report.SplitId, report.Silo, report.MapTime, report.Records, report.BadRecords);
            }

            S.MapTime = mapBefore + watch.Elapsed;
            if (inFlight.Count == 0 && pending.Count == 0 && S.State == JobState.Running && !Draining)
            {
                // The last split: Collect goes on at once and its final write records this progress with the result.
                // Lost before that write, the split runs again on resume, and its aggregators' ledgers ignore it.
                break;
            }

            await Persist();
        }
    }

    private async Task<SplitReport> RunSplit(InputSplit split, SplitLedger ledger)
    {
        var partition = GrainFactory.GetGrain<IPartitionGrain>(JobKeys.Partition(JobId, split.SplitId));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                ledger.Attempted(split.SplitId);
                return await partition.Run(_spec!, split, S.ShardCount);
            }
            catch (Exception ex) when (IsJobError(ex))
            {
                ledger.Failed(split.SplitId);
                throw;
            }
            catch (Exception ex) when (Draining)
            {
                throw new OperationCanceledException($"Split {split.SplitId} of job '{JobId}' failed while the job's silo is stopping; the job's next activation runs it.", ex);
            }
            catch (Exception ex) when (attempt < _options.SplitAttempts)
            {
                // The partition or an aggregator was on a silo that died, or timed out: run the split again.
                // Aggregators that merged it already ignore it (their ledgers), so the result stays exact.
                S.Retries++;
                ledger.Retried(split.SplitId);
                Telemetry.ComputeInstrumentation.SplitRetried();
                LogSplitRetry(logger, JobId, split.SplitId, attempt, ex);
                await Task.Delay(_options.RetryBackoff * Math.Min(attempt, 8));
            }
            catch (Exception ex)
            {
                ledger.Failed(split.SplitId);
                throw new SplitFailedException($"Split {split.SplitId} of job '{JobId}' failed {attempt} times; last error: {ex.GetType().Name}: {ex.Message}", ex);
            }
        }
    }

    private async Task Collect()
    {
        using var step = Telemetry.ComputeInstrumentation.StartJobStep("job collect", JobId);
        if (_runner!.JoinsShardResults)
        {
            await CollectShardResults();
            return;
        }

        var watch = Stopwatch.StartNew();
        var shards = await Task.WhenAll(Enumerable.Range(0, S.ShardCount).Select(i =>
            Retry(() => GrainFactory.GetGrain<IAggregatorGrain>(JobKeys.Aggregator(JobId, i)).GetMerged(_spec!))));
        var collected = watch.Elapsed;

        if (!await EveryShardCoversEverySplit(shards.Select(s => s.SplitIds)))
        {
            return;
        }

        var result = await ComputeThreads.Run(() => _runner!.Finish(_runner.JoinShards(shards)));
        if (S.State != JobState.Running)
        {
            return;
        }

        S.Result = serializer.SerializeToArray(result);
        _result = result;
        var merged = watch.Elapsed;
        S.MergeTime += merged;
        S.CollectTime += collected;
        S.FinishTime += merged - collected;
        S.FinishedAt = DateTimeOffset.UtcNow;
        await PersistFinal(JobState.Completed); // the result is durable before it is reported and before the aggregators' shards are dropped
        LogFinished(logger, JobId, S.State, S.DoneSplits.Count, S.SplitsTotal);
        await Unregister();
        await ClearAggregators();
    }

    /// <summary>
    /// Kinds that join shard results: every aggregator finishes its shard (in parallel, where it lives), the job joins
    /// them and persists Completed without the result, which stays in the aggregators' persisted shards.
    /// </summary>
    private async Task CollectShardResults()
    {
        var watch = Stopwatch.StartNew();
        var shards = await FinishShards();
        var collected = watch.Elapsed;
        if (!await EveryShardCoversEverySplit(shards.Select(s => s.SplitIds)))
        {
            return;
        }

        var result = await ComputeThreads.Run(() => _runner!.JoinShardResults([.. shards.Select(s => s.Result)]));
        if (S.State != JobState.Running)
        {
            return;
        }

        _result = result;
        S.ResultInShards = true;
        var merged = watch.Elapsed;
        S.MergeTime += merged;
        S.CollectTime += collected;
        S.FinishTime += merged - collected;
        S.FinishedAt = DateTimeOffset.UtcNow;
        await PersistFinal(JobState.Completed);
        LogFinished(logger, JobId, S.State, S.DoneSplits.Count, S.SplitsTotal);
        await Unregister();
    }

    /// <summary>
    /// Every shard must cover every split; a split the job recorded as done but a shard lacks (a lost write, a shard
    /// whose silo died before its write) is marked not done and persisted, and the next round runs it again.
    /// </summary>
    private async Task<bool> EveryShardCoversEverySplit(IEnumerable<IReadOnlyList<int>> covered)
    {
        var all = (_plan ??= ReadPlan()).Splits.Select(s => s.SplitId).ToHashSet(); // (a cancel meanwhile drops _plan)
        var missing = covered.SelectMany(c => all.Except(c)).ToHashSet();
        if (missing.Count == 0)
        {
            return true;
        }

        S.DoneSplits.RemoveAll(missing.Contains);
        foreach (var split in missing)
        {
            Ledger()?.Reset(split);
        }

        await Persist();
        return false;
    }

    private async Task Fail(string error)
    {
        if (!IsActive)
        {
            return;
        }

        S.Error = error;
        S.FinishedAt = DateTimeOffset.UtcNow;
        try
        {
            await PersistFinal(JobState.Failed);
            LogFailed(logger, JobId, S.DoneSplits.Count, S.SplitsTotal, error);
            await Unregister();
        }
#pragma warning disable CA1031 // the next activation re-reads the state and tries again
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogDriveInterrupted(logger, JobId, ex);
            DeactivateOnIdle();
        }
    }

    private async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (!IsJobError(ex) && attempt < _options.SplitAttempts)
            {
                S.Retries++;
                await Task.Delay(_options.RetryBackoff * Math.Min(attempt, 8));
            }
        }
    }

    private Task Persist() => _writes.Run(() =>
    {
        if (_ledger is not null)
        {
            S.SplitRecords = _ledger.Encode(); // the records as they are now, at the write
        }

        return state.WriteStateAsync();
    });

    /// <summary>
    /// Moves to a final state and writes it; status and result go on reporting the previous state until the write
    /// is done, so nobody sees a final state that a crash could undo. A failed write moves back (the next tick drives again).
    /// </summary>
    private async Task PersistFinal(JobState final)
    {
        var previous = S.State;
        _reportedState = previous;
        S.State = final;
        try
        {
            await Persist();
        }
        catch
        {
            S.State = previous;
            StartTimer();
            throw;
        }
        finally
        {
            _reportedState = null;
        }

        _ended?.TrySetResult(); // the final state is durable: wake the waiters
        Telemetry.ComputeInstrumentation.JobFinished(
            (_spec ??= serializer.Deserialize<ComputeJobSpec>(S.Spec!)!).Kind, final, (S.FinishedAt ?? DateTimeOffset.UtcNow) - S.SubmittedAt);
        _plan = null; // nothing reads it any more (it holds an object per input file); the persisted form stays
    }

    /// <summary>Registers with every registry replica; a replica that cannot be reached now is tried on the next tick.</summary>
    private async Task KeepRegistered()
    {
        var jobId = JobId;
        await Task.WhenAll(Enumerable.Range(0, IJobRegistryGrain.Replicas).Select(async i =>
        {
            try
            {
                await GrainFactory.GetGrain<IJobRegistryGrain>(i).Register(jobId);
            }
#pragma warning disable CA1031 // retried on the next tick
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRegistryUnreachable(logger, jobId, i, ex);
            }
        }));
    }

    private async Task Unregister()
    {
        var jobId = JobId;
        await Task.WhenAll(Enumerable.Range(0, IJobRegistryGrain.Replicas).Select(async i =>
        {
            try
            {
                await GrainFactory.GetGrain<IJobRegistryGrain>(i).Unregister(jobId);
            }
#pragma warning disable CA1031 // a replica that still holds the job drops it when its ping answers false
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRegistryUnreachable(logger, jobId, i, ex);
            }
        }));
    }

    private async Task ClearAggregators()
    {
        for (var i = 0; i < S.ShardCount; i++)
        {
            try
            {
                await GrainFactory.GetGrain<IAggregatorGrain>(JobKeys.Aggregator(JobId, i)).Clear();
            }
#pragma warning disable CA1031 // best effort: the result is already persisted
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogDriveInterrupted(logger, JobId, ex);
            }
        }
    }

    /// <summary>Errors of the job itself (bad input, bad spec, too many bad records, a persisted plan this silo cannot read): retrying cannot help.</summary>
    private static bool IsJobError(Exception ex) =>
        ex is SplitFailedException or ComputeInputException or BadRecordThresholdExceededException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
            or InvalidDataException;

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} resumes from persisted progress ({State}, {Done}/{Total} splits done)")]
    private static partial void LogResuming(ILogger logger, string jobId, JobState state, int done, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} deleted (its record and result shards)")]
    private static partial void LogDeleted(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ended {State} ({Done}/{Total} splits)")]
    private static partial void LogFinished(ILogger logger, string jobId, JobState state, int done, int total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed ({Done}/{Total} splits done): {Error}")]
    private static partial void LogFailed(ILogger logger, string jobId, int done, int total, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: split {SplitId} failed (attempt {Attempt}); retrying")]
    private static partial void LogSplitRetry(ILogger logger, string jobId, int splitId, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: driving interrupted; the next tick resumes it")]
    private static partial void LogDriveInterrupted(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: its per-split records cannot be read; they restart from its done splits")]
    private static partial void LogSplitRecordsUnreadable(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId}: registry replica {Replica} unreachable; retrying on the next tick")]
    private static partial void LogRegistryUnreachable(ILogger logger, string jobId, long replica, Exception exception);
}
