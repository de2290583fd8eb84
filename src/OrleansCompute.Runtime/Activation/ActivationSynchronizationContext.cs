namespace OrleansCompute.Activation;

/// <summary>
/// Posts grain continuations back to their activation, so code after an <c>await</c> in a grain
/// runs as part of that activation's serial execution (never two threads in one grain at once).
/// </summary>
internal sealed class ActivationSynchronizationContext(ActivationData activation) : SynchronizationContext
{
    public ActivationData Activation { get; } = activation;

    public override void Post(SendOrPostCallback d, object? state) => Activation.EnqueueContinuation(d, state);

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send into a grain activation would deadlock; use await.");

    public override SynchronizationContext CreateCopy() => this;
}
