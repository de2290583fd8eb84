using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansCompute.Invocation;
using OrleansCompute.Runtime;
using OrleansCompute.Timers;

namespace OrleansCompute.Activation;

/// <summary>
/// One activation: the grain object, its mailbox and its serial executor. At most one piece of
/// this grain's code runs at any instant: calls, timer ticks and <c>await</c> continuations are all
/// work items of this activation, run on the thread pool one after another. A call "in progress"
/// (started, not finished) blocks new calls unless the grain is reentrant or the call interleaves.
/// </summary>
internal sealed partial class ActivationData : IGrainContext, IActivationTarget, IThreadPoolWorkItem
{
    [ThreadStatic]
    private static ActivationData? s_current;

    private readonly ActivationServices _shared;
    private readonly GrainClassInfo _class;
    private readonly Lock _lock = new();
    private readonly Queue<GrainRequest> _requests = new();
    private readonly Queue<GrainRequest> _interleaved = new();
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _continuations = new();
    private readonly List<GrainRequest> _running = new(1);
    private readonly ActivationSynchronizationContext _syncContext;
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivationState _state;
    private bool _scheduled;
    private DeactivationReason? _pendingDeactivation;
    private List<IActivationParticipant>? _participants;
    private List<IDisposable>? _timers;
    private object? _grain;
    private long _lastActivity;
    private long _keepAliveUntil;
    private volatile int _pendingCount;
    private bool _abandoned;

    public ActivationData(GrainId grainId, GrainClassInfo grainClass, ActivationServices shared, StatelessWorkerGroup? group = null)
    {
        GrainId = grainId;
        _class = grainClass;
        _shared = shared;
        Group = group;
        _syncContext = new ActivationSynchronizationContext(this);
        _lastActivity = shared.TimeProvider.GetTimestamp();
    }

    /// <summary>The activation whose work is running on this thread, if any.</summary>
    public static ActivationData? Current => s_current;

    public GrainId GrainId { get; }

    public object? GrainInstance => _grain;

    public IServiceProvider ActivationServices => _shared.Services;

    public IGrainFactory GrainFactory => _shared.GrainRuntime;

    public StatelessWorkerGroup? Group { get; }

    /// <summary>In a cluster: the directory entry this activation owns.</summary>
    public GrainDirectory.GrainAddress? DirectoryAddress { get; init; }

    public GrainClassInfo GrainClass => _class;

    public ActivationState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Calls queued or running (a cheap, racy read for load decisions).</summary>
    public int PendingCount => _pendingCount;

    /// <summary>Completes when the activation has been deactivated and removed.</summary>
    public Task Deactivated => _deactivated.Task;

    public bool TryEnqueue(GrainRequest request)
    {
        lock (_lock)
        {
            if (_state == ActivationState.Invalid)
            {
                return false;
            }

            if (CanInterleave(request))
            {
                _interleaved.Enqueue(request);
            }
            else
            {
                _requests.Enqueue(request);
            }

            _pendingCount++;
            ScheduleLocked();
        }

        return true;
    }

    public void EnqueueContinuation(SendOrPostCallback callback, object? state)
    {
        lock (_lock)
        {
            if (_abandoned)
            {
                return;
            }

            _continuations.Enqueue((callback, state));
            ScheduleLocked();
        }
    }

    public void Deactivate(DeactivationReason reason, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Invalid || _pendingDeactivation is not null)
            {
                return;
            }

            _pendingDeactivation = reason;
            ScheduleLocked();
        }
    }

    public void DelayDeactivation(TimeSpan timeSpan)
    {
        var until = _shared.TimeProvider.GetTimestamp() + (long)(timeSpan.TotalSeconds * _shared.TimeProvider.TimestampFrequency);
        Interlocked.Exchange(ref _keepAliveUntil, Math.Max(Volatile.Read(ref _keepAliveUntil), until));
    }

    public IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new GrainTimer<TState>(this, _shared.TimeProvider, callback, state, options, _shared.Logger);
        lock (_lock)
        {
            if (_state is ActivationState.Invalid)
            {
                throw new InvalidOperationException($"Activation {GrainId} is no longer active; timers cannot be registered.");
            }

            (_timers ??= []).Add(timer);
        }

        timer.Start();
        return timer;
    }

    internal void RemoveTimer(IDisposable timer)
    {
        lock (_lock)
        {
            _timers?.Remove(timer);
        }
    }

    public void AddActivationParticipant(IActivationParticipant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        (_participants ??= []).Add(participant);
    }

    /// <summary>True when the activation has had no calls for longer than <paramref name="ageTicks"/>.</summary>
    public bool IsIdleFor(long now, long ageTicks)
    {
        if (_pendingCount != 0 || now < Volatile.Read(ref _keepAliveUntil))
        {
            return false;
        }

        lock (_lock)
        {
            return _state == ActivationState.Valid && _running.Count == 0 && _continuations.Count == 0
                && now - _lastActivity > ageTicks;
        }
    }

    /// <summary>Fails queued and running calls whose response timeout passed (called by the sweeper).</summary>
    public void CheckTimeouts(long now, TimeSpan defaultTimeout, List<GrainRequest> expired)
    {
        if (_pendingCount == 0)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var r in _running)
            {
                AddIfExpired(r, now, defaultTimeout, expired);
            }

            foreach (var r in _requests)
            {
                AddIfExpired(r, now, defaultTimeout, expired);
            }

            foreach (var r in _interleaved)
            {
                AddIfExpired(r, now, defaultTimeout, expired);
            }
        }
    }

    private void AddIfExpired(GrainRequest request, long now, TimeSpan defaultTimeout, List<GrainRequest> expired)
    {
        var timeout = request.ResponseTimeout ?? defaultTimeout;
        if (timeout == Timeout.InfiniteTimeSpan || request.IsCompleted)
        {
            return;
        }

        if (now - request.EnqueuedTimestamp > (long)(timeout.TotalSeconds * _shared.TimeProvider.TimestampFrequency))
        {
            expired.Add(request);
        }
    }

    private static bool CanInterleave(GrainRequest request) =>
        (request.Options & InvokeMethodOptions.AlwaysInterleave) != 0;

    private void ScheduleLocked()
    {
        if (!_scheduled)
        {
            _scheduled = true;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        var previousContext = SynchronizationContext.Current;
        var previousActivation = s_current;
        SynchronizationContext.SetSynchronizationContext(_syncContext);
        s_current = this;
        try
        {
            RunLoop();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previousContext);
            s_current = previousActivation;
        }
    }

    private enum WorkKind
    {
        None,
        Continuation,
        Request,
        Activate,
        Deactivate,
    }

    private void RunLoop()
    {
        var budget = _shared.TurnBatch;
        while (true)
        {
            WorkKind kind;
            (SendOrPostCallback Callback, object? State) continuation = default;
            GrainRequest? request = null;
            lock (_lock)
            {
                kind = NextWorkLocked(ref continuation, ref request);
                if (kind == WorkKind.None)
                {
                    _scheduled = false;
                    return;
                }
            }

            switch (kind)
            {
                case WorkKind.Continuation:
                    try
                    {
                        continuation.Callback(continuation.State);
                    }
                    catch (Exception ex)
                    {
                        LogContinuationFailed(_shared.Logger, ex, GrainId);
                    }

                    break;
                case WorkKind.Request:
                    _ = RunRequestAsync(request!);
                    break;
                case WorkKind.Activate:
                    _ = ActivateAsync();
                    break;
                case WorkKind.Deactivate:
                    _ = DeactivateAsync();
                    break;
            }

            if (--budget == 0)
            {
                // Yield the thread; _scheduled stays true so nobody else schedules us meanwhile.
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }
        }
    }

    private WorkKind NextWorkLocked(ref (SendOrPostCallback, object?) continuation, ref GrainRequest? request)
    {
        if (_continuations.Count > 0)
        {
            continuation = _continuations.Dequeue();
            return WorkKind.Continuation;
        }

        switch (_state)
        {
            case ActivationState.Creating:
                if (_pendingCount > 0)
                {
                    _state = ActivationState.Activating;
                    return WorkKind.Activate;
                }

                return WorkKind.None;
            case ActivationState.Valid:
                if (_pendingDeactivation is not null)
                {
                    if (_running.Count == 0)
                    {
                        _state = ActivationState.Deactivating;
                        return WorkKind.Deactivate;
                    }

                    return WorkKind.None;
                }

                while (_interleaved.Count > 0)
                {
                    var candidate = _interleaved.Dequeue();
                    if (TryStartLocked(candidate))
                    {
                        request = candidate;
                        return WorkKind.Request;
                    }
                }

                while (_requests.Count > 0 && (_running.Count == 0 || _class.IsReentrant))
                {
                    var candidate = _requests.Dequeue();
                    if (TryStartLocked(candidate))
                    {
                        request = candidate;
                        return WorkKind.Request;
                    }
                }

                return WorkKind.None;
            default:
                return WorkKind.None;
        }
    }

    private bool TryStartLocked(GrainRequest candidate)
    {
        if (candidate.IsCompleted)
        {
            // Timed out while queued: the caller has its answer; don't run it.
            _pendingCount--;
            return false;
        }

        _running.Add(candidate);
        if (candidate is not ITimerTick { KeepAlive: false })
        {
            _lastActivity = _shared.TimeProvider.GetTimestamp();
        }

        return true;
    }

    private async Task RunRequestAsync(GrainRequest request)
    {
        _shared.Calls.Increment();
        var started = Telemetry.OrleansComputeInstrumentation.GrainCallDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        using var activity = Telemetry.OrleansComputeInstrumentation.StartGrainCall(GrainId.Type, request.MethodName, GrainId.Key);
        try
        {
            await request.ExecuteAsync(_shared.Executor, _grain!);
        }
        finally
        {
            Telemetry.GrainCallHooks.Completed(GrainId.Type, started);
            lock (_lock)
            {
                _running.Remove(request);
                _pendingCount--;
                if (request is not ITimerTick { KeepAlive: false })
                {
                    _lastActivity = _shared.TimeProvider.GetTimestamp();
                }

                if (s_current != this)
                {
                    ScheduleLocked();
                }
            }
        }
    }

    private async Task ActivateAsync()
    {
        using var activationTimeout = new CancellationTokenSource(_shared.Collection.ActivationTimeout);
        try
        {
            using (GrainConstruction.Enter(this))
            {
                _grain = _class.Metadata.Factory(_shared.Services, this);
            }

            if (_participants is { } participants)
            {
                foreach (var participant in participants)
                {
                    await participant.OnActivatingAsync(activationTimeout.Token);
                }
            }

            if (_grain is Grain grain)
            {
                await grain.OnActivateAsync(activationTimeout.Token);
            }

            lock (_lock)
            {
                _state = ActivationState.Valid;
                ScheduleLocked();
            }

            Telemetry.GrainCallHooks.ActivationChanged(GrainId.Type, +1);

            LogActivated(_shared.Logger, GrainId, _class.Metadata.GrainClass.Name);
        }
        catch (Exception ex)
        {
            LogActivationFailed(_shared.Logger, ex, GrainId);
            FailAndRemove(ex);
        }
    }

    private void FailAndRemove(Exception ex)
    {
        List<GrainRequest> failed;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            failed = [.. _requests, .. _interleaved];
            _requests.Clear();
            _interleaved.Clear();
            _pendingCount = 0;
        }

        _shared.Catalog.Remove(this);
        foreach (var request in failed)
        {
            request.TrySetException(ex);
        }

        _deactivated.TrySetResult();
    }

    private async Task DeactivateAsync()
    {
        var reason = _pendingDeactivation!.Value;
        List<IDisposable>? timers;
        lock (_lock)
        {
            timers = _timers;
            _timers = null;
        }

        if (timers is not null)
        {
            foreach (var timer in timers)
            {
                timer.Dispose();
            }
        }

        try
        {
            if (_grain is Grain grain)
            {
                using var timeout = new CancellationTokenSource(_shared.Collection.DeactivationTimeout);
                await grain.OnDeactivateAsync(reason, timeout.Token).WaitAsync(_shared.Collection.DeactivationTimeout, _shared.TimeProvider);
            }
        }
        catch (Exception ex)
        {
            LogDeactivationFailed(_shared.Logger, ex, GrainId);
        }
        finally
        {
            List<GrainRequest> leftovers;
            lock (_lock)
            {
                _state = ActivationState.Invalid;
                leftovers = [.. _requests, .. _interleaved];
                _requests.Clear();
                _interleaved.Clear();
                _pendingCount = 0;
            }

            _shared.Catalog.Remove(this);
            Telemetry.GrainCallHooks.ActivationChanged(GrainId.Type, -1);
                LogDeactivated(_shared.Logger, GrainId, reason.ToString());

            // Calls that arrived while we were deactivating go to a fresh activation.
            foreach (var request in leftovers)
            {
                _shared.GrainRuntime.Redispatch(GrainId, request);
            }

            _deactivated.TrySetResult();
        }
    }

    /// <summary>
    /// As if the process died: no grain code runs again (no deactivation, no timer ticks); queued calls
    /// fail with <see cref="SiloUnavailableException"/>. Used when a test kills a silo.
    /// </summary>
    public void Abandon()
    {
        List<GrainRequest> queued;
        List<IDisposable>? timers;
        lock (_lock)
        {
            _abandoned = true;
            _state = ActivationState.Invalid;
            queued = [.. _requests, .. _interleaved];
            _requests.Clear();
            _interleaved.Clear();
            _continuations.Clear();
            _pendingCount = 0;
            timers = _timers;
            _timers = null;
        }

        foreach (var timer in timers ?? [])
        {
            timer.Dispose();
        }

        foreach (var request in queued)
        {
            request.TrySetException(new SiloUnavailableException($"The silo hosting {GrainId} died."));
        }

        _deactivated.TrySetResult();
    }

    public override string ToString() => $"[Activation {GrainId} {_state}]";

    [LoggerMessage(1, LogLevel.Debug, "Activated {GrainId} ({GrainClass})")]
    private static partial void LogActivated(ILogger logger, GrainId grainId, string grainClass);

    [LoggerMessage(2, LogLevel.Warning, "Activation of {GrainId} failed; pending calls get the exception")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(3, LogLevel.Warning, "OnDeactivateAsync of {GrainId} failed or timed out")]
    private static partial void LogDeactivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(4, LogLevel.Debug, "Deactivated {GrainId}: {Reason}")]
    private static partial void LogDeactivated(ILogger logger, GrainId grainId, string reason);

    [LoggerMessage(5, LogLevel.Error, "An await continuation in {GrainId} threw")]
    private static partial void LogContinuationFailed(ILogger logger, Exception exception, GrainId grainId);
}
