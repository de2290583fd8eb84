using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Messaging;

/// <summary>Call-filter context for an outgoing call; the last stage sends a copy of the request and awaits it.</summary>
internal sealed class OutgoingCallContext<TResult>(
    GrainRequest<TResult> request,
    GrainReference target,
    IOutgoingGrainCallFilter[] filters,
    Func<GrainReference, GrainRequest<TResult>, ValueTask<TResult>> send) : GrainCallContextBase<TResult>(request), IOutgoingGrainCallContext
{
    public object? Grain => null;

    public GrainId TargetId => target.GrainId;

    public async Task Invoke()
    {
        var stage = Stage++;
        if (stage < filters.Length)
        {
            await filters[stage].Invoke(this);
            return;
        }

        TypedResult = await send(target, TypedRequest.CloneForDispatch());
    }
}
