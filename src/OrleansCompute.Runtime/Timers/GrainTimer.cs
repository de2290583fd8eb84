using Microsoft.Extensions.Logging;
using OrleansCompute.Activation;
using OrleansCompute.Invocation;

namespace OrleansCompute.Timers;

/// <summary>
/// A grain timer: each tick is queued to the activation as a turn (so by default it never interleaves
/// with calls), and the next tick is scheduled a period after the previous one finished.
/// </summary>
internal sealed partial class GrainTimer<TState> : IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<TState, CancellationToken, Task> _callback;
    private readonly TState _state;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly bool _interleave;
    private readonly bool _keepAlive;
    private TimeSpan _dueTime;
    private TimeSpan _period;
    private int _disposed;

    public GrainTimer(ActivationData activation, TimeProvider time, Func<TState, CancellationToken, Task> callback, TState state,
        GrainTimerCreationOptions options, ILogger logger)
    {
        ValidateTime(options.DueTime, nameof(options.DueTime));
        ValidateTime(options.Period, nameof(options.Period));
        _activation = activation;
        _callback = callback;
        _state = state;
        _logger = logger;
        _interleave = options.Interleave;
        _keepAlive = options.KeepAlive;
        _dueTime = options.DueTime;
        _period = options.Period;
        _timer = time.CreateTimer(static s => ((GrainTimer<TState>)s!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Start() => _timer.Change(_dueTime, Timeout.InfiniteTimeSpan);

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        ValidateTime(dueTime, nameof(dueTime));
        ValidateTime(period, nameof(period));
        _dueTime = dueTime;
        _period = period;
        if (Volatile.Read(ref _disposed) == 0)
        {
            _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        _cancellation.Cancel();
        _activation.RemoveTimer(this);
    }

    private void OnDue()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var tick = new Tick(this);
        if (!_activation.TryEnqueue(tick))
        {
            Dispose();
            return;
        }

        _ = AwaitTickAsync(tick);
    }

    private async Task AwaitTickAsync(Tick tick)
    {
        try
        {
            await tick.AsValueTask().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogTickFailed(_logger, ex, _activation.GrainId.ToString());
        }

        if (Volatile.Read(ref _disposed) == 0 && _period != Timeout.InfiniteTimeSpan)
        {
            try
            {
                _timer.Change(_period, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed concurrently: nothing to reschedule.
            }
        }
    }

    private static void ValidateTime(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "Timer times must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }
    }

    /// <summary>One tick, queued to the activation like a call.</summary>
    private sealed class Tick(GrainTimer<TState> timer) : GrainRequest<VoidResult>, ITimerTick
    {
        public override Type InterfaceType => typeof(IGrainTimer);

        public override string MethodName => "Tick";

        public override InvokeMethodOptions Options => timer._interleave ? InvokeMethodOptions.AlwaysInterleave : InvokeMethodOptions.None;

        public override TimeSpan? ResponseTimeout => Timeout.InfiniteTimeSpan;

        public override int ArgumentCount => 0;

        public bool KeepAlive => timer._keepAlive;

        public override object? GetArgument(int index) => throw BadArgumentIndex(index);

        public override void SetArgument(int index, object? value) => throw BadArgumentIndex(index);

        public override ValueTask<VoidResult> InvokeAsync(object target)
        {
            if (Volatile.Read(ref timer._disposed) != 0)
            {
                return default;
            }

            return InvokeHelpers.FromTask(timer._callback(timer._state, timer._cancellation.Token));
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "A timer tick of {GrainId} threw")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string grainId);
}
