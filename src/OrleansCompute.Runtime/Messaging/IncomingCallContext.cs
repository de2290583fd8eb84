using OrleansCompute.Activation;
using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Messaging;

/// <summary>Call-filter context for an incoming call: silo filters run first, then the grain's own filter, then the method.</summary>
internal sealed class IncomingCallContext<TResult>(GrainRequest<TResult> request, object grain, IIncomingGrainCallFilter[] filters)
    : IIncomingGrainCallContext
{
    private int _stage;

    public GrainRequest Request => request;

    public object? Grain => grain;

    public GrainId SourceId => request.SourceId;

    public GrainId TargetId => ((IGrainContext)TargetContext).GrainId;

    public IGrainContext TargetContext => (grain as Grain)?.GrainContext ?? ActivationData.Current!;

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

        if (stage == filters.Length && grain is IIncomingGrainCallFilter grainFilter)
        {
            await grainFilter.Invoke(this);
            return;
        }

        TypedResult = await request.InvokeAsync(grain);
    }
}
