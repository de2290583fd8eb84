namespace OrleansCompute.Invocation;

/// <summary>Implemented by the runtime: runs a request against a grain object and completes it.</summary>
public interface IGrainRequestExecutor
{
    ValueTask ExecuteAsync<TResult>(GrainRequest<TResult> request, object target);
}
