using OrleansCompute.Runtime;

namespace OrleansCompute.Cluster.Tests.Grains;

public enum Color
{
    Red,
    Green,
}

[GenerateSerializer]
public sealed record Point([property: Id(0)] int X, [property: Id(1)] int Y);

[GenerateSerializer]
public sealed class Payload
{
    [Id(0)] public string? Text { get; set; }

    [Id(1)] public List<int> Numbers { get; set; } = [];

    [Id(2)] public Dictionary<string, double> Weights { get; set; } = [];

    [Id(3)] public int? Maybe { get; set; }

    [Id(4)] public Color Color { get; set; }

    [Id(5)] public Point? Where { get; set; }

    [Id(6)] public Guid Id { get; set; }

    [Id(7)] public DateTime When { get; set; }

    [Id(8)] public byte[] Blob { get; set; } = [];
}

public interface IClusterTestGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();

    Task<Guid> ActivationId();

    Task<int> Increment();

    Task<int> Get();

    Task<Payload> Echo(Payload payload, long number, string? nothing, Point point);

    Task Throw(string message);

    Task<string> CallOther(string key);

    Task StartTimer();

    Task<int> TimerTicks();

    Task Slow(int milliseconds);

    Task<bool> WaitForCancellation(int milliseconds, CancellationToken cancellationToken);
}

public sealed class CounterState
{
    public int Value { get; set; }

    public int DeactivationsSaved { get; set; }
}

public sealed class ClusterTestGrain(
    [PersistentState("counter")] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : Grain, IClusterTestGrain
{
    private readonly Guid _activationId = Guid.NewGuid();
    private int _ticks;

    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress!.ToString());

    public Task<Guid> ActivationId() => Task.FromResult(_activationId);

    public async Task<int> Increment()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> Get() => Task.FromResult(state.State.Value);

    public Task<Payload> Echo(Payload payload, long number, string? nothing, Point point)
    {
        payload.Text = $"{payload.Text}|{number}|{nothing ?? "null"}|{point.X},{point.Y}";
        return Task.FromResult(payload);
    }

    public Task Throw(string message) => throw new InvalidOperationException(message);

    public Task<string> CallOther(string key) => GrainFactory.GetGrain<IClusterTestGrain>(key).WhereAmI();

    public Task StartTimer()
    {
        RegisterGrainTimer(_ =>
        {
            _ticks++;
            return Task.CompletedTask;
        }, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        return Task.CompletedTask;
    }

    public Task<int> TimerTicks() => Task.FromResult(_ticks);

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

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && state.RecordExists)
        {
            state.State.DeactivationsSaved++;
            await state.WriteStateAsync(cancellationToken);
        }
    }
}
