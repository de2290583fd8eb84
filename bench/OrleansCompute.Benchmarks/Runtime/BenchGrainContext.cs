using OrleansCompute.Runtime;
using OrleansCompute.Timers;

namespace OrleansCompute.Benchmarks.Runtime;

/// <summary>A do-nothing context so the baseline can construct the grain class without a silo.</summary>
internal sealed class BenchGrainContext : IGrainContext
{
    public GrainId GrainId { get; } = new("adder", "direct");

    public object? GrainInstance => null;

    public IServiceProvider ActivationServices => throw new NotSupportedException();

    public IGrainFactory GrainFactory => throw new NotSupportedException();

    public void AddActivationParticipant(IActivationParticipant participant) => throw new NotSupportedException();

    public void Deactivate(DeactivationReason reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public void DelayDeactivation(TimeSpan timeSpan) => throw new NotSupportedException();

    public IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options) =>
        throw new NotSupportedException();
}
