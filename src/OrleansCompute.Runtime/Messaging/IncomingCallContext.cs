using OrleansCompute.Activation;
using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Messaging;

/// <summary>Call-filter context for an incoming call: silo filters run first, then the grain's own filter, then the method.</summary>
internal sealed class IncomingCallContext<TResult>(GrainRequest<TResult> request, object grain, IIncomingGrainCallFilter[] filters)
    : GrainCallContextBase<TResult>(request), IIncomingGrainCallContext
{
    public object? Grain => grain;

    public GrainId TargetId => ((IGrainContext)TargetContext).GrainId;

    public IGrainContext TargetContext => (grain as Grain)?.GrainContext ?? ActivationData.Current!;

    public async Task Invoke()
    {
        var stage = Stage++;
        if (stage < filters.Length)
        {
            await filters[stage].Invoke(this);
            return;
        }

        if (stage == filters.Length && grain is IIncomingGrainCallFilter grainFilter)
        {
            await grainFilter.Invoke(this);
            return;
        }

        TypedResult = await TypedRequest.InvokeAsync(grain);
    }
}
