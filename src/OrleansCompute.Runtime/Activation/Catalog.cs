using System.Collections.Concurrent;
using OrleansCompute.Runtime;

namespace OrleansCompute.Activation;

/// <summary>The activations living in this silo, by grain id.</summary>
internal sealed class Catalog(GrainTypeResolver types, ActivationServices shared)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<GrainId, StatelessWorkerGroup> _workers = new();

    public GrainTypeResolver Types { get; } = types;

    /// <summary>The activation (or worker group) for <paramref name="grainId"/>, created if missing. Creating is
    /// cheap: the grain object is built on the activation's first turn.</summary>
    public IActivationTarget GetOrCreate(GrainId grainId)
    {
        if (_activations.TryGetValue(grainId, out var existing))
        {
            return existing;
        }

        var grainClass = Types.GetByGrainType(grainId.Type);
        if (grainClass.IsStatelessWorker)
        {
            return _workers.GetOrAdd(grainId, static (id, s) => new StatelessWorkerGroup(id, s.grainClass, s.shared), (grainClass, shared));
        }

        return _activations.GetOrAdd(grainId, static (id, s) => new ActivationData(id, s.grainClass, s.shared), (grainClass, shared));
    }

    /// <summary>In a cluster: the activation for a directory registration this silo won.</summary>
    public ActivationData GetOrCreateRegistered(GrainId grainId, GrainDirectory.GrainAddress address)
    {
        var grainClass = Types.GetByGrainType(grainId.Type);
        return _activations.GetOrAdd(grainId, static (id, s) => new ActivationData(id, s.grainClass, s.shared) { DirectoryAddress = s.address },
            (grainClass, shared, address));
    }

    /// <summary>Called when a registered activation leaves (to remove its directory entry).</summary>
    public Action<GrainDirectory.GrainAddress>? ActivationRemoved { get; set; }

    /// <summary>The existing activation, if any (no creation).</summary>
    public ActivationData? TryGet(GrainId grainId) => _activations.TryGetValue(grainId, out var a) ? a : null;

    public void Remove(ActivationData activation)
    {
        if (activation.Group is { } group)
        {
            group.Remove(activation);
            return;
        }

        if (_activations.TryRemove(KeyValuePair.Create(activation.GrainId, activation)) && activation.DirectoryAddress is { } address)
        {
            ActivationRemoved?.Invoke(address);
        }
    }

    /// <summary>A snapshot of every activation, stateless workers included.</summary>
    public List<ActivationData> Snapshot()
    {
        var list = new List<ActivationData>(_activations.Count);
        foreach (var pair in _activations)
        {
            list.Add(pair.Value);
        }

        foreach (var pair in _workers)
        {
            list.AddRange(pair.Value.Workers);
        }

        return list;
    }

    /// <summary>Number of activations (stateless workers included).</summary>
    public int Count
    {
        get
        {
            var count = _activations.Count;
            foreach (var pair in _workers)
            {
                count += pair.Value.Workers.Count;
            }

            return count;
        }
    }
}
