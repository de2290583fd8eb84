using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Messaging;

/// <summary>What incoming and outgoing call-filter contexts share: the request and a typed result a filter may replace.</summary>
internal abstract class GrainCallContextBase<TResult>(GrainRequest<TResult> request)
{
    protected GrainRequest<TResult> TypedRequest { get; } = request;

    /// <summary>Which filter (or, past the last, the call itself) <c>Invoke</c> runs next.</summary>
    protected int Stage { get; set; }

    public GrainRequest Request => TypedRequest;

    public GrainId SourceId => TypedRequest.SourceId;

    public TResult TypedResult { get; protected set; } = default!;

    public object? Result
    {
        get => TypedResult;
        set => TypedResult = (TResult)value!;
    }
}
