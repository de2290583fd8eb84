using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Which of one producer's batch sequences a partition has applied: the highest one plus every applied
/// sequence within <see cref="Window"/> below it. A sequence already seen, or older than the window, is a
/// duplicate. This tolerates producers that pipeline batches and retry out of order.
/// </summary>
[GenerateSerializer]
public sealed class ProducerWindow
{
    public const long Window = 4096;

    // Sequences that fell out of the window are pruned in bulk once this many extra are held (amortized O(1) per accept).
    private const int PruneSlack = 512;

    [Id(0)]
    public bool HasAny { get; set; }

    [Id(1)]
    public long Highest { get; set; }

    [Id(2)]
    public HashSet<long> Recent { get; set; } = [];

    public bool TryAccept(long sequence)
    {
        if (HasAny && (sequence <= Highest - Window || Recent.Contains(sequence)))
        {
            return false;
        }

        Recent.Add(sequence);
        if (!HasAny || sequence > Highest)
        {
            Highest = sequence;
            HasAny = true;
            if (Recent.Count > Window + PruneSlack)
            {
                var floor = Highest - Window;
                Recent.RemoveWhere(s => s <= floor);
            }
        }

        return true;
    }
}
