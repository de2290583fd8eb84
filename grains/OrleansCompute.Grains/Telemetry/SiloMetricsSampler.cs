using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Grains.Api;

namespace OrleansCompute.Grains.Telemetry;

/// <summary>
/// Samples this silo's CPU, memory, GC and received grain calls every <see cref="Interval"/> into a ring buffer of
/// <see cref="Capacity"/> samples, read through a <see cref="MeterListener"/> from the same instruments the OpenTelemetry
/// export reads: System.Runtime's <c>dotnet.process.cpu.time</c>, <c>dotnet.process.memory.working_set</c>,
/// <c>dotnet.gc.collections</c>, <c>dotnet.gc.pause.time</c>, and Microsoft.Orleans's
/// <c>orleans-messaging-processing-dispatcher-received</c> (Direction=Request) of this silo's own meter (several silos
/// in one process each read theirs). Starts when the silo becomes active; one sample is a few observable callbacks.
/// </summary>
public sealed partial class SiloMetricsSampler : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private const string RuntimeMeter = "System.Runtime";
    private const string OrleansMeter = "Microsoft.Orleans";
    private const string CpuTime = "dotnet.process.cpu.time";
    private const string WorkingSet = "dotnet.process.memory.working_set";
    private const string GcCollections = "dotnet.gc.collections";
    private const string GcPause = "dotnet.gc.pause.time";
    private const string DispatcherReceived = "orleans-messaging-processing-dispatcher-received";

    private readonly Lock _lock = new();
    private readonly SiloMetricsSample[] _ring;
    private readonly object? _meterScope;
    private readonly ILogger<SiloMetricsSampler> _logger;
    private readonly string _silo;
    private MeterListener? _listener;
    private CancellationTokenSource? _stop;
    private int _next;
    private int _count;

    // Totals of one observation round (the listener's callbacks fill them; only the sampling loop runs a round).
    private double _cpuSeconds;
    private long _workingSet;
    private long _gcCount;
    private double _gcPauseSeconds;
    private long _requests;

    // The previous round's totals.
    private long _previousTicks;
    private double _previousCpu;
    private long _previousGc;
    private double _previousPause;
    private long _previousRequests;

    public SiloMetricsSampler(ILocalSiloDetails silo, IMeterFactory meterFactory, ILogger<SiloMetricsSampler> logger, TimeSpan interval, int capacity)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(50));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        Interval = interval;
        Capacity = capacity;
        _ring = new SiloMetricsSample[capacity];
        _meterScope = meterFactory; // Orleans creates its meter through the silo's IMeterFactory, which is the meter's scope
        _logger = logger;
        _silo = silo.SiloAddress.ToParsableString();
    }

    public TimeSpan Interval { get; }

    public int Capacity { get; }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloMetricsSampler), ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>The samples so far, oldest first.</summary>
    public SiloMetricsHistory History()
    {
        var history = new SiloMetricsHistory { Silo = _silo, IntervalSeconds = Interval.TotalSeconds, Capacity = Capacity };
        lock (_lock)
        {
            for (var i = 0; i < _count; i++)
            {
                history.Samples.Add(_ring[(_next - _count + i + Capacity) % Capacity]);
            }
        }

        return history;
    }

    private Task Start(CancellationToken cancellationToken)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                var name = instrument.Name;
                var wanted = instrument.Meter.Name switch
                {
                    RuntimeMeter => name is CpuTime or WorkingSet or GcCollections or GcPause,
                    OrleansMeter => name == DispatcherReceived && (instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, _meterScope)),
                    _ => false,
                };
                if (wanted)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>(OnDouble);
        listener.SetMeasurementEventCallback<long>(OnLong);
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => OnLong(instrument, value, tags, state));
        listener.Start();
        _listener = listener;
        _stop = new CancellationTokenSource();
        Observe(); // the baseline
        _ = Loop(_stop.Token);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    private async Task Loop(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    Sample();
                }
#pragma warning disable CA1031 // a failed round is skipped; the next one tries again
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogSampleFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Reads every observable instrument once: totals into the fields.</summary>
    private void Observe()
    {
        _cpuSeconds = 0;
        _workingSet = 0;
        _gcCount = 0;
        _gcPauseSeconds = 0;
        _requests = 0;
        _listener?.RecordObservableInstruments();
    }

    private void Sample()
    {
        var ticks = Stopwatch.GetTimestamp();
        Observe();
        var seconds = Stopwatch.GetElapsedTime(_previousTicks, ticks).TotalSeconds;
        if (_previousTicks != 0 && seconds > 0)
        {
            var sample = new SiloMetricsSample
            {
                At = DateTimeOffset.UtcNow,
                CpuPercent = Math.Round(Math.Clamp((_cpuSeconds - _previousCpu) / (seconds * Environment.ProcessorCount) * 100, 0, 100), 1),
                MemoryBytes = _workingSet,
                GcCollections = Math.Max(0, _gcCount - _previousGc),
                GcPausePercent = Math.Round(Math.Clamp((_gcPauseSeconds - _previousPause) / seconds * 100, 0, 100), 2),
                CallsPerSecond = Math.Round(Math.Max(0, _requests - _previousRequests) / seconds, 1),
            };
            lock (_lock)
            {
                _ring[_next] = sample;
                _next = (_next + 1) % Capacity;
                _count = Math.Min(_count + 1, Capacity);
            }
        }

        _previousTicks = ticks;
        _previousCpu = _cpuSeconds;
        _previousGc = _gcCount;
        _previousPause = _gcPauseSeconds;
        _previousRequests = _requests;
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case CpuTime:
                _cpuSeconds += value; // one measurement per cpu.mode (user, system)
                break;
            case GcPause:
                _gcPauseSeconds += value;
                break;
        }
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case WorkingSet:
                _workingSet = value;
                break;
            case GcCollections:
                _gcCount += value; // one measurement per generation
                break;
            case DispatcherReceived when IsRequest(tags):
                _requests += value;
                break;
        }
    }

    private static bool IsRequest(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "Direction")
            {
                return tag.Value is string direction && direction == "Request";
            }
        }

        return false;
    }

    /// <summary>Stops sampling (idempotent: the container disposes this once per registration).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stop, null) is { } stop)
        {
            stop.Cancel();
            stop.Dispose();
        }

        Interlocked.Exchange(ref _listener, null)?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A silo metrics sample failed; the next interval tries again")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
