namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Which of one producer's batch sequences a partition has applied: the highest one plus every applied
/// sequence within <see cref="Window"/> below it. A sequence already seen, or older than the window, is a
/// duplicate. This tolerates producers that pipeline batches and retry out of order.
/// </summary>
public sealed class ProducerWindow
{
    public const long Window = 4096;

    public bool HasAny { get; set; }

    public long Highest { get; set; }

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
            Recent.RemoveWhere(s => s <= Highest - Window);
        }

        return true;
    }
}
