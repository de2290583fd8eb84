using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Activation;

/// <summary>
/// Two periodic sweeps over the catalog: fail calls whose response timeout passed
/// (<see cref="MessagingOptions.ResponseTimeoutCheckInterval"/>), and deactivate activations idle
/// longer than <see cref="GrainCollectionOptions.CollectionAge"/> (every <see cref="GrainCollectionOptions.CollectionQuantum"/>).
/// Sweeping activations (not individual calls) keeps the per-call cost at zero.
/// </summary>
internal sealed partial class ActivationMaintenance(
    Catalog catalog,
    TimeProvider time,
    IOptions<MessagingOptions> messaging,
    IOptions<GrainCollectionOptions> collection,
    ILogger<ActivationMaintenance> logger) : IDisposable
{
    private readonly List<GrainRequest> _expired = [];
    private ITimer? _timeoutTimer;
    private ITimer? _collectionTimer;

    /// <summary>Another sweep run with the timeout sweep (a clustered silo's pending remote calls).</summary>
    public Action? ExtraSweep { get; set; }

    public void Start()
    {
        var check = messaging.Value.ResponseTimeoutCheckInterval;
        _timeoutTimer = time.CreateTimer(static s => ((ActivationMaintenance)s!).SweepTimeouts(), this, check, check);
        var quantum = collection.Value.CollectionQuantum;
        _collectionTimer = time.CreateTimer(static s => ((ActivationMaintenance)s!).CollectIdle(), this, quantum, quantum);
    }

    public void Dispose()
    {
        _timeoutTimer?.Dispose();
        _collectionTimer?.Dispose();
    }

    internal void SweepTimeouts()
    {
        lock (_expired)
        {
            var now = time.GetTimestamp();
            var defaultTimeout = messaging.Value.ResponseTimeout;
            foreach (var activation in catalog.Snapshot())
            {
                activation.CheckTimeouts(now, defaultTimeout, _expired);
            }

            foreach (var request in _expired)
            {
                var timeout = request.ResponseTimeout ?? defaultTimeout;
                request.TrySetException(new TimeoutException(
                    $"Response did not arrive on time in {timeout} for {request}. The call may still complete on the grain; it is not retried."));
            }

            if (_expired.Count > 0)
            {
                LogTimedOut(logger, _expired.Count);
            }

            _expired.Clear();
        }

        ExtraSweep?.Invoke();
    }

    internal int CollectIdle()
    {
        var now = time.GetTimestamp();
        var ageTicks = (long)(collection.Value.CollectionAge.TotalSeconds * time.TimestampFrequency);
        var collected = 0;
        foreach (var activation in catalog.Snapshot())
        {
            if (activation.IsIdleFor(now, ageTicks))
            {
                activation.Deactivate(new DeactivationReason(DeactivationReasonCode.ActivationIdle,
                    $"No calls for longer than the collection age ({collection.Value.CollectionAge})."));
                collected++;
            }
        }

        if (collected > 0)
        {
            LogCollected(logger, collected);
        }

        return collected;
    }

    [LoggerMessage(1, LogLevel.Warning, "{Count} call(s) timed out waiting for a response")]
    private static partial void LogTimedOut(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Debug, "Collecting {Count} idle activation(s)")]
    private static partial void LogCollected(ILogger logger, int count);
}
