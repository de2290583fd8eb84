using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Hosting;

/// <summary>
/// Bounds a silo process's whole stop by its drain time. The graceful part — the host's shutdown timeout
/// (<see cref="GracefulPart"/>) — ends <see cref="Reserve"/> earlier: then the host's stop token is cancelled and Orleans
/// stops "ungracefully" (no more grain deactivation, only this silo's membership row marked Stopping, then Dead), which
/// takes well under a second while the membership table answers. When it does not (Redis gone), Orleans 10.4.2 does not
/// honour that token there: its <c>MembershipAgent</c> gives each of those two writes its own one-minute token and retries
/// until it runs out, so the process would exit two minutes after the drain time. At the drain time (less
/// <see cref="ExitAllowance"/>, for the exit itself) this class ends the process with <see cref="ExitCode"/> after one
/// critical log line saying what was left undone. Added by
/// <see cref="OrleansComputeSiloBuilderExtensions.UseStopDeadline"/> (the silo executable; never in a test host, whose
/// process it would end).
/// </summary>
/// <remarks>
/// Nothing acknowledged is lost by that exit: the compute grains write before they acknowledge (an ingest batch is in its
/// stream partition's log, a job's progress after each split, an aggregator's partial before its answer). What an
/// activation still here had not written — a job's splits in flight, a partition's snapshot — its next activation on
/// another silo redoes from storage. The line counts those activations (an <see cref="IActivationWorkingSetObserver"/>:
/// one dictionary entry per activation) and says whether the membership row was written.
/// </remarks>
public sealed partial class StopDeadline : IHostedService, IActivationWorkingSetObserver, IDisposable
{
    /// <summary>The exit code of a stop cut short at its drain time (that of <c>timeout(1)</c> for a command that timed out).</summary>
    public const int ExitCode = 124;

    private readonly ConcurrentDictionary<IActivationWorkingSetMember, byte> _activations = new(ReferenceEqualityComparer.Instance);
    private readonly object _gate = new(); // Monitor.Wait/PulseAll
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IServiceProvider _services;
    private readonly ILogger<StopDeadline> _logger;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private int _armed;
    private bool _stopped;

    internal StopDeadline(TimeSpan drainTimeout, IHostApplicationLifetime lifetime, IServiceProvider services, ILogger<StopDeadline> logger)
    {
        DrainTimeout = drainTimeout;
        _lifetime = lifetime;
        _services = services;
        _logger = logger;
    }

    /// <summary>The bound on the whole stop, from the stop request to the process's end.</summary>
    public TimeSpan DrainTimeout { get; }

    /// <summary>What ends the process at the deadline (tests may replace it).</summary>
    internal Action<int> Exit { get; set; } = ProcessExit.Now;

    /// <summary>
    /// The part of <paramref name="drainTimeout"/> kept for the rest of the stop once the graceful part is over: a quarter,
    /// at most 5 s.
    /// </summary>
    public static TimeSpan Reserve(TimeSpan drainTimeout) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, drainTimeout.Ticks / 4));

    /// <summary>
    /// How long before the drain time the deadline fires: a tenth of it, at most 1 s, for what follows — the signal's way
    /// to the host before the clock starts, and the exit itself — so that, seen from the supervisor, the process is gone by
    /// the drain time (measured after the deadline: 0.4–0.6 s from the signal to the exit seen, at load 17–28 on 2 cores).
    /// </summary>
    public static TimeSpan ExitAllowance(TimeSpan drainTimeout) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, drainTimeout.Ticks / 10));

    /// <summary>The host's shutdown timeout for <paramref name="drainTimeout"/>: the drain time less <see cref="Reserve"/>.</summary>
    public static TimeSpan GracefulPart(TimeSpan drainTimeout) => drainTimeout - Reserve(drainTimeout);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(_lifetime.ApplicationStopping.Register(Arm));
        _registrations.Add(_lifetime.ApplicationStopped.Register(Stopped));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the clock (the stop was requested); idempotent.</summary>
    internal void Arm()
    {
        if (Interlocked.Exchange(ref _armed, 1) != 0)
        {
            return;
        }

        // Its own thread: the thread pool may be what the stop is stuck behind.
        var start = Stopwatch.GetTimestamp();
        var wait = DrainTimeout - ExitAllowance(DrainTimeout);
        new Thread(() =>
        {
            lock (_gate)
            {
                while (!_stopped && wait - Stopwatch.GetElapsedTime(start) is { Ticks: > 0 } left)
                {
                    Monitor.Wait(_gate, left);
                }

                if (_stopped)
                {
                    return;
                }
            }

            Expire();
        })
        { IsBackground = true, Name = "OrleansCompute stop deadline" }.Start();
    }

    /// <summary>The host's stop is over (the process ends next).</summary>
    private void Stopped()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
    }

    void IActivationWorkingSetObserver.OnAdded(IActivationWorkingSetMember member) => _activations.TryAdd(member, 0);

    void IActivationWorkingSetObserver.OnActive(IActivationWorkingSetMember member) => _activations.TryAdd(member, 0);

    void IActivationWorkingSetObserver.OnDeactivated(IActivationWorkingSetMember member) => _activations.TryRemove(member, out _);

    /// <summary>The activations on this silo that have not finished deactivating, by grain type (most first).</summary>
    internal IReadOnlyList<(string GrainType, int Count)> Remaining() =>
        [.. _activations.Keys.Select(m => m is IGrainContext context ? context.GrainId.Type.ToString() ?? "?" : "?")
            .GroupBy(t => t, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count()))
            .OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal)];

    private void Expire()
    {
        string line;
        try
        {
            line = Describe();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            line = string.Create(CultureInfo.InvariantCulture,
                $"The stop ran out of its drain time ({DrainTimeout.TotalSeconds:F1} s, OrleansCompute:Hosting:DrainTimeout): the process exits now with code {ExitCode} ({ex.Message}).");
        }

        LogExpired(_logger, line);
        ProcessExit.Announce(line);
        Exit(ExitCode);
    }

    private string Describe()
    {
        var remaining = Remaining();
        var count = remaining.Sum(r => r.Count);
        var types = string.Join(", ", remaining.Take(6).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.GrainType} {r.Count}")))
            + (remaining.Count > 6 ? ", …" : "");
        var undone = count == 0
            ? "Every grain activation here had deactivated."
            : string.Create(CultureInfo.InvariantCulture,
                $"Not persisted: whatever the {count} grain activations still here ({types}) had not written yet — nothing acknowledged (the grains write before they acknowledge); their next activations on other silos read the stored state and redo the rest (a job re-runs its splits in flight, a stream partition replays its log).");
        var membership = (IClusterMembershipService?)_services.GetService(typeof(IClusterMembershipService));
        var self = ((ILocalSiloDetails?)_services.GetService(typeof(ILocalSiloDetails)))?.SiloAddress;
        var status = membership is not null && self is not null ? membership.CurrentSnapshot.GetSiloStatus(self) : SiloStatus.None;
        var row = status == SiloStatus.Dead
            ? "Its membership row says Dead."
            : $"Its membership row was not written Dead (this silo last read it as {status}): the other silos declare it dead by failure detection.";
        return string.Create(CultureInfo.InvariantCulture,
            $"The stop ran out of its drain time ({DrainTimeout.TotalSeconds:F1} s, OrleansCompute:Hosting:DrainTimeout): the process exits now with code {ExitCode} instead of waiting for Orleans's remaining stop. {undone} {row}");
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        Stopped(); // disposed with the host: the stop is over
    }

    [LoggerMessage(1, LogLevel.Critical, "{Line}")]
    private static partial void LogExpired(ILogger logger, string line);
}
