namespace OrleansCompute.Invocation;

/// <summary>Implemented by the runtime (silo or client): sends requests made through grain references.</summary>
public interface IGrainReferenceRuntime
{
    IGrainFactory GrainFactory { get; }

    ValueTask<TResult> InvokeAsync<TResult>(GrainReference reference, GrainRequest<TResult> request);

    void InvokeOneWay(GrainReference reference, GrainRequest request);
}
