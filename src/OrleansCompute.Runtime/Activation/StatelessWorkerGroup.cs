using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Activation;

/// <summary>
/// The local activations of one <c>[StatelessWorker]</c> grain id: a call goes to an idle worker,
/// else a new worker is added (up to the maximum), else to the least-loaded worker.
/// </summary>
internal sealed class StatelessWorkerGroup(GrainId grainId, GrainClassInfo grainClass, ActivationServices shared) : IActivationTarget
{
    private readonly Lock _lock = new();
    private ActivationData[] _workers = [];

    public GrainId GrainId { get; } = grainId;

    public IReadOnlyList<ActivationData> Workers => Volatile.Read(ref _workers);

    public bool TryEnqueue(GrainRequest request)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            if (PickWorker().TryEnqueue(request))
            {
                return true;
            }
        }

        return false;
    }

    private ActivationData PickWorker()
    {
        var workers = Volatile.Read(ref _workers);
        ActivationData? best = null;
        foreach (var worker in workers)
        {
            if (worker.PendingCount == 0)
            {
                return worker;
            }

            if (best is null || worker.PendingCount < best.PendingCount)
            {
                best = worker;
            }
        }

        lock (_lock)
        {
            if (_workers.Length < grainClass.MaxLocalWorkers)
            {
                var added = new ActivationData(GrainId, grainClass, shared, this);
                _workers = [.. _workers, added];
                return added;
            }
        }

        return best ?? Volatile.Read(ref _workers)[0];
    }

    public void Remove(ActivationData worker)
    {
        lock (_lock)
        {
            _workers = Array.FindAll(_workers, w => w != worker);
        }
    }
}
