using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Messaging;

/// <summary>Call-filter context for an outgoing call; the last stage sends a copy of the request and awaits it.</summary>
internal sealed class OutgoingCallContext<TResult>(
    GrainRequest<TResult> request,
    GrainReference target,
    IOutgoingGrainCallFilter[] filters,
    Func<GrainReference, GrainRequest<TResult>, ValueTask<TResult>> send) : IOutgoingGrainCallContext
{
    private int _stage;

    public GrainRequest Request => request;

    public object? Grain => null;

    public GrainId SourceId => request.SourceId;

    public GrainId TargetId => target.GrainId;

    public TResult TypedResult { get; private set; } = default!;

    public object? Result
    {
        get => TypedResult;
        set => TypedResult = (TResult)value!;
    }

    public async Task Invoke()
    {
        var stage = _stage++;
        if (stage < filters.Length)
        {
            await filters[stage].Invoke(this);
            return;
        }

        TypedResult = await send(target, request.CloneForDispatch());
    }
}
