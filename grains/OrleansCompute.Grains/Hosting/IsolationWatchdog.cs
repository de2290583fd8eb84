using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Hosting;

/// <summary>
/// The isolation fence. Orleans stops a silo only once the silo reads, in the membership table, that it was declared
/// dead; a silo cut off from the table and from its peers never reads that and keeps serving beside the majority, which
/// has declared it dead and re-activated its grains. This watchdog stops such a silo: when, for
/// <see cref="OrleansComputeOptions.IsolationFenceTimeout"/>, it can neither read the membership table
/// (<see cref="IMembershipTable.ReadAllAsync"/>) nor reach a majority of the active silos (itself included; a
/// <see cref="IIsolationPingService"/> ping to each other active silo of its last membership snapshot), the process
/// exits at once with <see cref="ExitCode"/> after one critical log line, like Orleans's own exit when it reads itself
/// dead: no grain deactivation, no further write. A supervisor restarts it; it joins as a new member. The same happens
/// when the table answers but, for that long, holds no row for this silo (the table lost its data, dotnet/orleans#7784:
/// Orleans would keep such a silo running outside any membership).
/// </summary>
/// <remarks>
/// <para>Either condition alone keeps the silo serving: a Redis-only outage (peers fine) must not stop a healthy cluster,
/// and peers lost while the table answers are Orleans's business (votes).</para>
/// <para>Only failed attempts count. An attempt fails when it throws or has not answered within a timeout
/// (a third of the fence timeout, at most 1 s), and a failure counts only if this process was not starved since the
/// attempt started: a probe work item queued to the thread pool every 100 ms that waits longer than 300 ms (or a tick
/// of this watchdog's own thread that comes that late) marks the process as starved, so a silo whose thread pool was
/// busy is slow, not cut off. The watchdog runs on its own thread; the attempts are one small read and one tiny message
/// per peer every sixth of the fence timeout (500 ms at the default 3 s, at most), never on a grain's path.</para>
/// <para>Only clustered silos run it (<see cref="FencingSettings.IsClustered"/>); it starts when the silo is active and
/// stands down when the silo starts stopping.</para>
/// </remarks>
public sealed partial class IsolationWatchdog : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>The process exit code of a fenced silo (sysexits EX_TEMPFAIL: "try again", i.e. restart me).</summary>
    public const int ExitCode = 75;

    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_starvationLag = TimeSpan.FromMilliseconds(300);

    private readonly IServiceProvider _services;
    private readonly FencingSettings _settings;
    private readonly ILogger<IsolationWatchdog> _logger;
    private readonly TimeSpan _fenceTimeout;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _interval;
    private readonly Target _table = new();
    private readonly Dictionary<SiloAddress, Target> _peers = [];
    private long _lastStarved;
    private long _ownRowMissingSince;
    private long _poolProbeQueued;
    private long _started;
    private bool _tableWarned;
    private volatile bool _stopping;
    private Thread? _thread;

    internal IsolationWatchdog(IServiceProvider services, FencingSettings settings, ILogger<IsolationWatchdog> logger)
    {
        _services = services;
        _settings = settings;
        _logger = logger;
        _fenceTimeout = settings.IsolationFenceTimeout;
        _attemptTimeout = Clamp(_fenceTimeout / 3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));
        _interval = Clamp(_fenceTimeout / 6, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500));
    }

    /// <summary>What a fence does after logging; the default ends the process at once (tests may replace it).</summary>
    internal Action<int> Exit { get; set; } = ProcessExit.Now;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(IsolationWatchdog), ServiceLifecycleStage.Active, OnActive, OnStopping);
    }

    public void Dispose() => _stopping = true;

    private Task OnActive(CancellationToken cancellationToken)
    {
        if (_fenceTimeout <= TimeSpan.Zero || !_settings.IsClustered(_services))
        {
            LogOff(_logger, _fenceTimeout <= TimeSpan.Zero ? "OrleansCompute:Membership:IsolationFenceTimeout is 0" : "the membership table lives in this process (development clustering)");
            return Task.CompletedTask;
        }

        var table = _services.GetRequiredService<IMembershipTable>();
        var membership = _services.GetRequiredService<IClusterMembershipService>();
        var self = _services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var pings = _services.GetRequiredService<IsolationPingClient>();
        _started = Stopwatch.GetTimestamp();

        _thread = new Thread(() => Run(table, membership, self, pings)) { IsBackground = true, Name = "OrleansCompute isolation watchdog" };
        _thread.Start();
        LogOn(_logger, _fenceTimeout.TotalSeconds, _attemptTimeout.TotalMilliseconds, _interval.TotalMilliseconds);
        return Task.CompletedTask;
    }

    private Task OnStopping(CancellationToken cancellationToken)
    {
        _stopping = true;
        return Task.CompletedTask;
    }

    private void Run(IMembershipTable table, IClusterMembershipService membership, SiloAddress self, IsolationPingClient pings)
    {
        var lastTick = Stopwatch.GetTimestamp();
        var lastRound = 0L;
        while (!_stopping)
        {
            Thread.Sleep(s_tick);
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(lastTick, now) > s_tick + s_starvationLag)
            {
                Volatile.Write(ref _lastStarved, now); // this thread itself was not scheduled (e.g. a long GC pause)
            }

            lastTick = now;
            try
            {
                ProbeThreadPool(now);
                var active = membership.CurrentSnapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
                    .Select(m => m.SiloAddress)
                    .ToList();
                SyncPeers(active);
                if (lastRound == 0 || Stopwatch.GetElapsedTime(lastRound, now) >= _interval)
                {
                    lastRound = now;
                    Start(_table, async () =>
                    {
                        try
                        {
                            var data = await table.ReadAllAsync(CancellationToken.None).ConfigureAwait(false);
                            RecordOwnRow(now, data.Members.Any(m => m.Item1.SiloAddress.Equals(self)));
                        }
                        catch (Exception ex) when (IsTableGone(ex))
                        {
                            RecordOwnRow(now, present: false);
                            throw;
                        }
                    });
                    foreach (var (peer, target) in _peers)
                    {
                        Start(target, () => pings.Ping(peer));
                    }
                }

                if (Evaluate(now, active.Count) is { } reason)
                {
                    Fence(self, reason);
                    return;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogCheckFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>
    /// The table answered that it does not exist (Orleans's Redis provider: "The Redis membership table version is missing.
    /// The table may have expired or been deleted." after Redis lost its data) — an answer, not an unreachable table.
    /// </summary>
    private static bool IsTableGone(Exception exception) =>
        exception.GetType().Name.EndsWith("ClusteringException", StringComparison.Ordinal)
        && exception.Message.Contains("missing", StringComparison.OrdinalIgnoreCase);

    /// <summary>A readable table without this silo's row (e.g. Redis lost its data): not a member any more.</summary>
    private void RecordOwnRow(long attemptStart, bool present)
    {
        if (present)
        {
            Interlocked.Exchange(ref _ownRowMissingSince, 0);
        }
        else
        {
            Interlocked.CompareExchange(ref _ownRowMissingSince, attemptStart, 0);
        }
    }

    /// <summary>Null while the silo may keep serving; else why it is isolated.</summary>
    private string? Evaluate(long now, int otherActive)
    {
        var missing = Interlocked.Read(ref _ownRowMissingSince);
        if (missing != 0 && Stopwatch.GetElapsedTime(missing, now) >= _fenceTimeout)
        {
            // Orleans keeps such a silo running without a row (dotnet/orleans#7784): nobody can probe or declare it.
            return string.Create(CultureInfo.InvariantCulture,
                $"the membership table answers but has had no row for this silo for {Stopwatch.GetElapsedTime(missing, now).TotalSeconds:F1} s (the table lost its data); it is no member of the cluster any more");
        }

        var starved = Volatile.Read(ref _lastStarved);
        var tableFailingSince = FailingSince(_table, now, out var tableError);
        var tableFailing = tableFailingSince != 0 && starved < tableFailingSince;
        // "Since" counts from the start of the last attempt that succeeded: it proved the link at that moment.
        long lastTable;
        lock (_table)
        {
            lastTable = Math.Max(_table.LastSuccessStart, _started);
        }

        if (tableFailing && !_tableWarned)
        {
            _tableWarned = true;
            LogTableFailing(_logger, tableError ?? "no answer");
        }
        else if (tableFailingSince == 0 && _tableWarned)
        {
            _tableWarned = false;
            LogTableBack(_logger);
        }

        var members = otherActive + 1;
        var needed = (members / 2) + 1;
        var reached = 1;
        var failing = 0;
        var proven = new List<long>(_peers.Count);
        foreach (var target in _peers.Values)
        {
            var since = FailingSince(target, now, out _);
            lock (target)
            {
                proven.Add(target.LastSuccessStart);
                if (since == 0 && target.LastSuccess != 0)
                {
                    reached++;
                }
            }

            if (since != 0 && starved < since)
            {
                failing++;
            }
        }

        // A majority was last proven reachable when the (needed - 1)-th most recent peer success started.
        proven.Sort((a, b) => b.CompareTo(a));
        var lastQuorum = needed <= 1 ? now : proven.Count >= needed - 1 ? Math.Max(proven[needed - 2], _started) : _started;
        var quorumFailing = members - failing < needed;
        var sinceTable = Stopwatch.GetElapsedTime(lastTable, now);
        var sinceQuorum = Stopwatch.GetElapsedTime(lastQuorum, now);
        if (tableFailing && quorumFailing && sinceTable >= _fenceTimeout && sinceQuorum >= _fenceTimeout)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"no membership table for {sinceTable.TotalSeconds:F1} s ({tableError ?? "no answer"}) and no majority of the {members} active silos for {sinceQuorum.TotalSeconds:F1} s (reached {reached}, needs {needed})");
        }

        return null;
    }

    private void Fence(SiloAddress self, string reason)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"Silo {self} is isolated: {reason}. It stops serving now: the process exits with code {ExitCode} without deactivating its grains (the majority has taken them over); a supervisor should restart it, and it rejoins as a new member.");
        LogIsolated(_logger, line);
        ProcessExit.Announce(line);
        Exit(ExitCode);
    }

    private void ProbeThreadPool(long now)
    {
        var queued = Interlocked.Read(ref _poolProbeQueued);
        if (queued == 0)
        {
            Interlocked.Exchange(ref _poolProbeQueued, now);
            ThreadPool.UnsafeQueueUserWorkItem(static watchdog => watchdog.PoolProbeRan(), this, preferLocal: false);
        }
        else if (Stopwatch.GetElapsedTime(queued, now) > s_starvationLag)
        {
            Volatile.Write(ref _lastStarved, now);
        }
    }

    private void PoolProbeRan()
    {
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _poolProbeQueued), now) > s_starvationLag)
        {
            Volatile.Write(ref _lastStarved, now);
        }

        Interlocked.Exchange(ref _poolProbeQueued, 0);
    }

    private void SyncPeers(List<SiloAddress> active)
    {
        foreach (var peer in active)
        {
            if (!_peers.ContainsKey(peer))
            {
                _peers[peer] = new Target();
            }
        }

        if (_peers.Count != active.Count)
        {
            foreach (var gone in _peers.Keys.Where(p => !active.Contains(p)).ToList())
            {
                _peers.Remove(gone);
            }
        }
    }

    private static void Start(Target target, Func<Task> attempt)
    {
        var start = Stopwatch.GetTimestamp();
        lock (target)
        {
            if (target.InFlightSince != 0)
            {
                return;
            }

            target.InFlightSince = start;
        }

        Task task;
        try
        {
            task = attempt();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            task = Task.FromException(ex);
        }

        task.ContinueWith(static (t, state) => ((Completion)state!).Record(t), new Completion(target, start),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The start of the attempt that currently says "failing" (failed, or unanswered past the timeout), or 0.</summary>
    private long FailingSince(Target target, long now, out string? error)
    {
        lock (target)
        {
            error = target.LastError;
            var failure = target.LastFailureStart;
            if (target.InFlightSince != 0 && Stopwatch.GetElapsedTime(target.InFlightSince, now) >= _attemptTimeout)
            {
                failure = Math.Max(failure, target.InFlightSince);
                error = string.Create(CultureInfo.InvariantCulture, $"no answer for {Stopwatch.GetElapsedTime(target.InFlightSince, now).TotalSeconds:F1} s");
            }

            return failure > target.LastSuccessStart ? failure : 0;
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    [LoggerMessage(1, LogLevel.Critical, "{Line}")]
    private static partial void LogIsolated(ILogger logger, string line);

    [LoggerMessage(2, LogLevel.Information, "Isolation watchdog on: this silo fences itself if, for {Seconds} s, it can neither read the membership table nor reach a majority of the active silos (attempt timeout {AttemptMs} ms, every {IntervalMs} ms)")]
    private static partial void LogOn(ILogger logger, double seconds, double attemptMs, double intervalMs);

    [LoggerMessage(3, LogLevel.Information, "Isolation watchdog off: {Reason}")]
    private static partial void LogOff(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Isolation watchdog: cannot read the membership table ({Reason}); this silo keeps serving while it reaches a majority of the active silos")]
    private static partial void LogTableFailing(ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Information, "Isolation watchdog: the membership table answers again")]
    private static partial void LogTableBack(ILogger logger);

    [LoggerMessage(6, LogLevel.Warning, "Isolation watchdog check failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string reason);

    /// <summary>What the watchdog knows about one thing it checks (the table, or one peer). Guarded by its own lock.</summary>
    private sealed class Target
    {
        public long LastSuccess;
        public long LastSuccessStart;
        public long LastFailureStart;
        public long InFlightSince;
        public string? LastError;
    }

    private sealed class Completion(Target target, long start)
    {
        public void Record(Task task)
        {
            var now = Stopwatch.GetTimestamp();
            lock (target)
            {
                target.InFlightSince = 0;
                if (task.IsCompletedSuccessfully)
                {
                    target.LastSuccess = now;
                    target.LastSuccessStart = Math.Max(target.LastSuccessStart, start);
                }
                else
                {
                    target.LastFailureStart = Math.Max(target.LastFailureStart, start);
                    target.LastError = task.Exception?.GetBaseException().Message ?? "cancelled";
                }
            }
        }
    }
}
