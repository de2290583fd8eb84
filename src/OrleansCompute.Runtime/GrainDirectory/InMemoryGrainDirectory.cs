using System.Collections.Concurrent;
using OrleansCompute.Runtime;

namespace OrleansCompute.GrainDirectory;

/// <summary>
/// An in-process <see cref="IGrainDirectory"/> for a single silo or the silos of one in-process test cluster:
/// share one instance between all silos of a cluster.
/// </summary>
/// <remarks>
/// Lock-free: each entry is swapped with compare-and-set on a concurrent dictionary, comparing whole
/// <see cref="GrainAddress"/> values (grain, silo incarnation and activation id), so of several concurrent
/// registrations exactly one is stored and every caller gets that one back.
/// <see cref="UnregisterSilos"/> scans every entry (O(entries)); fine in one process, where the directory is small.
/// </remarks>
public sealed class InMemoryGrainDirectory : IGrainDirectory
{
    private readonly ConcurrentDictionary<GrainId, GrainAddress> _entries = new();

    /// <summary>How many grains are registered (for diagnostics and tests).</summary>
    public int Count => _entries.Count;

    public Task<GrainAddress> Register(GrainAddress address, CancellationToken cancellationToken = default)
        => Register(address, previousAddress: null, cancellationToken);

    public Task<GrainAddress> Register(GrainAddress address, GrainAddress? previousAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        while (true)
        {
            if (!_entries.TryGetValue(address.GrainId, out var current))
            {
                if (_entries.TryAdd(address.GrainId, address))
                {
                    return Task.FromResult(address);
                }

                continue;
            }

            if (previousAddress is null || current != previousAddress)
            {
                return Task.FromResult(current);
            }

            if (_entries.TryUpdate(address.GrainId, address, current))
            {
                return Task.FromResult(address);
            }
        }
    }

    public Task Unregister(GrainAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        _entries.TryRemove(new KeyValuePair<GrainId, GrainAddress>(address.GrainId, address));
        return Task.CompletedTask;
    }

    public Task<GrainAddress?> Lookup(GrainId grainId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_entries.TryGetValue(grainId, out var address) ? address : null);
    }

    public Task UnregisterSilos(IReadOnlyList<SiloAddress> siloAddresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(siloAddresses);
        cancellationToken.ThrowIfCancellationRequested();
        if (siloAddresses.Count == 0)
        {
            return Task.CompletedTask;
        }

        var silos = new HashSet<SiloAddress>(siloAddresses);
        foreach (var entry in _entries)
        {
            if (silos.Contains(entry.Value.SiloAddress))
            {
                // Removes only the value we saw: a concurrent re-registration elsewhere survives.
                _entries.TryRemove(entry);
            }
        }

        return Task.CompletedTask;
    }
}
