using OrleansCompute.Runtime;

namespace OrleansCompute.GrainDirectory;

/// <summary>
/// The cluster-wide map grain → activation that guarantees at most one activation per grain
/// (Orleans's <c>IGrainDirectory</c>). Every implementation passes the directory conformance suite:
/// <list type="bullet">
/// <item>the one-argument <c>Register</c> stores the address if the grain has none and returns it; if the grain
/// already has an address, stores nothing and returns the existing one (first writer wins, also under concurrency).</item>
/// <item>the two-argument <c>Register</c> replaces the existing address only if it equals
/// <c>previousAddress</c> (used to take over a grain whose silo died); otherwise behaves like the one-argument form.</item>
/// <item><see cref="Unregister"/> removes the entry only if it equals the given address.</item>
/// <item><see cref="UnregisterSilos"/> removes every entry pointing at those silos (exact generation).</item>
/// </list>
/// </summary>
public interface IGrainDirectory
{
    Task<GrainAddress> Register(GrainAddress address, CancellationToken cancellationToken = default);

    Task<GrainAddress> Register(GrainAddress address, GrainAddress? previousAddress, CancellationToken cancellationToken = default);

    Task Unregister(GrainAddress address, CancellationToken cancellationToken = default);

    Task<GrainAddress?> Lookup(GrainId grainId, CancellationToken cancellationToken = default);

    Task UnregisterSilos(IReadOnlyList<SiloAddress> siloAddresses, CancellationToken cancellationToken = default);
}
