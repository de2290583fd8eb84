using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansCompute.ApiHost;

/// <summary>
/// The host's lifetime in place of the console lifetime: SIGTERM, SIGINT (Ctrl+C) and SIGQUIT stop the host cleanly (exit
/// code 0), also when they arrive while it is still starting. The console lifetime stops at once, which cancels start-up
/// half-way: Kestrel's bind throws <see cref="TaskCanceledException"/>, the host logs "Hosting failed to start" and the
/// process dies with an unhandled exception (exit code 134) — what a SIGTERM in the first second of the API host did.
/// Here a signal before start-up has finished is held and acted on once it has. The handlers are registered as soon as
/// this object exists (first thing in <c>Program</c>), so a signal that comes while the host is being configured is held too.
/// </summary>
internal sealed partial class ShutdownSignals : IHostLifetime, IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private IHostApplicationLifetime? _lifetime;
    private ILogger? _logger;
    private CancellationTokenRegistration _onStarted;
    private int _started;
    private int _requested;

    public ShutdownSignals() =>
        _registrations = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT }.Select(s => PosixSignalRegistration.Create(s, OnSignal))];

    /// <summary>This object as the host's <see cref="IHostLifetime"/> (register it with a factory that calls this).</summary>
    public ShutdownSignals Attach(IHostApplicationLifetime lifetime, ILogger<ShutdownSignals> logger)
    {
        _lifetime = lifetime;
        _logger = logger;
        return this;
    }

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        var lifetime = _lifetime ?? throw new InvalidOperationException("ShutdownSignals.Attach was not called.");
        _onStarted = lifetime.ApplicationStarted.Register(() =>
        {
            // Full fences on both sides (here and in OnSignal): a signal racing the end of start-up is never lost.
            Interlocked.Exchange(ref _started, 1);
            if (Volatile.Read(ref _requested) == 1)
            {
                LogStoppingAfterStart(_logger!);
                lifetime.StopApplication();
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _onStarted.Dispose();
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // no default termination: the host stops and Main returns 0
        Interlocked.Exchange(ref _requested, 1);
        if (Volatile.Read(ref _started) == 1)
        {
            _lifetime!.StopApplication();
        }
        else if (_logger is { } logger)
        {
            LogHeld(logger, context.Signal.ToString());
        }
    }

    [LoggerMessage(1, LogLevel.Information, "{Signal} while starting: stopping once start-up has finished")]
    private static partial void LogHeld(ILogger logger, string signal);

    [LoggerMessage(2, LogLevel.Information, "Start-up finished; stopping as requested")]
    private static partial void LogStoppingAfterStart(ILogger logger);
}
