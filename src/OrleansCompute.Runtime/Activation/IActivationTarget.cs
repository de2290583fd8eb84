using OrleansCompute.Invocation;

namespace OrleansCompute.Activation;

/// <summary>Somewhere a request for a grain can be queued: one activation, or a stateless worker group.</summary>
internal interface IActivationTarget
{
    /// <summary>Queues the request; false when the target is gone and the caller must look the grain up again.</summary>
    bool TryEnqueue(GrainRequest request);
}
