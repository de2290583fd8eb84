namespace OrleansCompute.Cluster.Tests.Grains;

/// <summary>A test grain with persisted state, a timer and a slow call, that says which silo it runs on.</summary>
public interface IClusterTestGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();

    Task<int> Increment();

    Task<int> Get();

    Task StartTimer();

    Task<int> TimerTicks();

    Task Slow(int milliseconds);
}

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }

    [Id(1)] public int DeactivationsSaved { get; set; }
}

public sealed class ClusterTestGrain(
    [PersistentState("counter")] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : Grain, IClusterTestGrain
{
    private int _ticks;

    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToString());

    public async Task<int> Increment()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> Get() => Task.FromResult(state.State.Value);

    public Task StartTimer()
    {
        this.RegisterGrainTimer(() =>
        {
            _ticks++;
            return Task.CompletedTask;
        }, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        return Task.CompletedTask;
    }

    public Task<int> TimerTicks() => Task.FromResult(_ticks);

    public Task Slow(int milliseconds) => Task.Delay(milliseconds);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && state.RecordExists)
        {
            state.State.DeactivationsSaved++;
            await state.WriteStateAsync(cancellationToken);
        }
    }
}
