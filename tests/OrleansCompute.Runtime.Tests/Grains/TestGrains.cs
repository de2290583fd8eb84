using OrleansCompute.Concurrency;
using OrleansCompute.Runtime.Tests.Infrastructure;
using OrleansCompute.Timers;

namespace OrleansCompute.Runtime.Tests.Grains;

public sealed class LifecycleGrain(CallLog log) : Grain, ILifecycleGrain
{
    private static int s_activations;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        log.Add($"activate-start:{this.GetPrimaryKeyString()}");
        await Task.Delay(20, cancellationToken);
        Interlocked.Increment(ref s_activations);
        log.Add($"activate-end:{this.GetPrimaryKeyString()}");
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        log.Add($"deactivate:{this.GetPrimaryKeyString()}:{reason.ReasonCode}");
        return Task.CompletedTask;
    }

    public Task<string> Ping()
    {
        log.Add($"ping:{this.GetPrimaryKeyString()}");
        return Task.FromResult(this.GetPrimaryKeyString());
    }

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<int> ActivationCount() => Task.FromResult(Volatile.Read(ref s_activations));
}

public class ConcurrencyGrain : Grain, IConcurrencyGrain
{
    private int _inside;
    private int _max;

    public async Task Work(int milliseconds)
    {
        var now = Interlocked.Increment(ref _inside);
        _max = Math.Max(_max, now);
        await Task.Delay(milliseconds);
        await Task.Yield();
        Interlocked.Decrement(ref _inside);
    }

    public Task<int> MaxConcurrent() => Task.FromResult(_max);

    public Task<int> InterleavedPeek() => Task.FromResult(_inside);
}

[Reentrant]
public sealed class ReentrantGrain : Grain, IReentrantGrain
{
    private int _inside;
    private int _max;
    private int _threadsInside;
    private int _maxThreads;

    public async Task Work(int milliseconds)
    {
        _inside++;
        _max = Math.Max(_max, _inside);
        // Even a reentrant grain runs one thread at a time: check no two threads overlap here.
        var threads = Interlocked.Increment(ref _threadsInside);
        _maxThreads = Math.Max(_maxThreads, threads);
        Thread.SpinWait(1000);
        Interlocked.Decrement(ref _threadsInside);
        await Task.Delay(milliseconds);
        _inside--;
    }

    public Task<int> MaxConcurrent() => Task.FromResult(_maxThreads > 1 ? -_maxThreads : _max);
}

public sealed class BehaviorGrain : Grain, IBehaviorGrain
{
    private string _lastFireAndForget = "";

    public Task<int> Add(int a, int b) => Task.FromResult(a + b);

    public ValueTask<string> Echo(string value) => ValueTask.FromResult(value);

    public ValueTask Nothing() => default;

    public Task Throw(string message) => throw new InvalidOperationException(message);

    public async Task<int> ThrowAfterAwait(string message)
    {
        await Task.Delay(5);
        throw new ArgumentException(message, nameof(message));
    }

    public Task Slow(int milliseconds) => Task.Delay(milliseconds);

    public async Task<bool> WaitForCancellation(int milliseconds, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public Task FireAndForget(string value)
    {
        _lastFireAndForget = value;
        return Task.CompletedTask;
    }

    public Task<string> LastFireAndForget() => Task.FromResult(_lastFireAndForget);

    public Task<string> KeyInfo() => Task.FromResult($"{GrainId.Type}:{this.GetPrimaryKey()}");
}

public sealed class CompoundKeyGrain : Grain, ICompoundKeyGrain
{
    public Task<string> Describe()
    {
        var id = this.GetPrimaryKeyLong(out var ext);
        return Task.FromResult($"{id}|{ext}");
    }
}

public sealed class TimerGrain : Grain, ITimerGrain
{
    private IGrainTimer? _timer;
    private int _ticks;
    private int _inside;
    private int _max;

    public Task Start(int periodMs, int tickWorkMs)
    {
        _timer = RegisterGrainTimer(async ct =>
        {
            Enter();
            await Task.Delay(tickWorkMs, CancellationToken.None);
            _ticks++;
            Exit();
        }, TimeSpan.FromMilliseconds(periodMs), TimeSpan.FromMilliseconds(periodMs));
        return Task.CompletedTask;
    }

    public Task<int> Ticks() => Task.FromResult(_ticks);

    public Task<int> MaxConcurrent() => Task.FromResult(_max);

    public async Task Call(int milliseconds)
    {
        Enter();
        await Task.Delay(milliseconds);
        Exit();
    }

    public Task Stop()
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    private void Enter() => _max = Math.Max(_max, ++_inside);

    private void Exit() => _inside--;
}

[StatelessWorker(3)]
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private readonly Guid _instance = Guid.NewGuid();

    public async Task<string> WhoAmI(int holdMs)
    {
        await Task.Delay(holdMs);
        return _instance.ToString();
    }
}

public sealed class CallerGrain : Grain, ICallerGrain
{
    public Task<int> CallAdd(Guid target, int a, int b) => GrainFactory.GetGrain<IBehaviorGrain>(target).Add(a, b);
}
