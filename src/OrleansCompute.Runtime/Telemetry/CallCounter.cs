namespace OrleansCompute.Telemetry;

/// <summary>
/// Counts grain calls of one silo without a shared hot cache line: increments go to one of several padded
/// cells chosen by the current processor, and <see cref="Total"/> sums the cells. Always on (it feeds the
/// cluster view's calls per second), so it must stay this cheap.
/// </summary>
internal sealed class CallCounter
{
    private const int Stride = 16; // 16 longs = 128 bytes: one cell per pair of cache lines
    private readonly long[] _cells;
    private readonly int _mask;

    public CallCounter()
    {
        var cells = 1;
        while (cells < Environment.ProcessorCount)
        {
            cells <<= 1;
        }

        _mask = cells - 1;
        _cells = new long[cells * Stride];
    }

    public void Increment()
    {
        var cell = (Thread.GetCurrentProcessorId() & _mask) * Stride;
        Interlocked.Increment(ref _cells[cell]);
    }

    public long Total
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _cells.Length; i += Stride)
            {
                total += Volatile.Read(ref _cells[i]);
            }

            return total;
        }
    }
}
