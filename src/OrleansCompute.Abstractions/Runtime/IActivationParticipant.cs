namespace OrleansCompute.Runtime;

/// <summary>
/// A component that takes part in an activation's lifecycle, such as persistent state
/// (read before <c>OnActivateAsync</c>).
/// </summary>
public interface IActivationParticipant
{
    /// <summary>Runs before the grain's <c>OnActivateAsync</c>.</summary>
    Task OnActivatingAsync(CancellationToken cancellationToken);
}
