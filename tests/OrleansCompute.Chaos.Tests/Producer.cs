using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansCompute.Chaos.Tests;

/// <summary>Sends one batch (producer id, sequence, events); returns normally only when it was acknowledged.</summary>
internal delegate Task SendBatch(string producerId, long sequence, IReadOnlyList<(string Key, double Value)> events, CancellationToken cancellationToken);

/// <summary>
/// A bounded producer with its own ledger: batches of events over a fixed key set, one batch in flight, each batch
/// re-sent with the same sequence until it is acknowledged (exactly-once on the server side makes that safe).
/// Only acknowledged batches enter the ledger, so at the end the server's per-key counts must equal it exactly.
/// </summary>
internal sealed class Producer(string producerId, IReadOnlyList<string> keys, int batchSize, int seed, SendBatch send)
{
    private readonly ConcurrentDictionary<string, long> _ledger = new(StringComparer.Ordinal);
    private readonly Random _random = new(seed);
    private long _eventsSent;
    private long _eventsAcknowledged;
    private long _attempts;
    private long _failures;
    private long _batches;

    public string Id => producerId;

    /// <summary>Acknowledged events per key.</summary>
    public IReadOnlyDictionary<string, long> Ledger => _ledger;

    /// <summary>Events in batches sent at least once.</summary>
    public long EventsSent => Interlocked.Read(ref _eventsSent);

    public long EventsAcknowledged => Interlocked.Read(ref _eventsAcknowledged);

    /// <summary>Send attempts, including re-sends.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    public long Failures => Interlocked.Read(ref _failures);

    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Batches that could not be acknowledged before the drain limit (must be 0).</summary>
    public int Abandoned { get; private set; }

    /// <summary>When each acknowledgement arrived (for recovery times).</summary>
    public ConcurrentQueue<TimeSpan> AckTimes { get; } = new();

    /// <summary>The longest time without an acknowledgement of this producer from <paramref name="from"/> to <paramref name="to"/> (clock times).</summary>
    public TimeSpan LongestPause(TimeSpan from, TimeSpan to)
    {
        var longest = TimeSpan.Zero;
        var last = from;
        foreach (var at in AckTimes.Where(t => t > from && t <= to).Order())
        {
            longest = at - last > longest ? at - last : longest;
            last = at;
        }

        return to - last > longest ? to - last : longest;
    }

    /// <summary>
    /// Sends batches until <paramref name="stop"/> fires (or <paramref name="maxBatches"/>); the batch in flight at
    /// that moment is still re-sent until acknowledged, for at most <paramref name="drainLimit"/>.
    /// </summary>
    public async Task RunAsync(Stopwatch clock, int maxBatches, TimeSpan drainLimit, TimeSpan pause, CancellationToken stop)
    {
        for (long sequence = 1; sequence <= maxBatches && !stop.IsCancellationRequested; sequence++)
        {
            var events = new List<(string Key, double Value)>(batchSize);
            for (var i = 0; i < batchSize; i++)
            {
                events.Add((keys[_random.Next(keys.Count)], _random.Next(1, 100)));
            }

            Interlocked.Add(ref _eventsSent, events.Count);
            Interlocked.Increment(ref _batches);
            var drainDeadline = (TimeSpan?)null;
            while (true)
            {
                if (stop.IsCancellationRequested)
                {
                    drainDeadline ??= clock.Elapsed + drainLimit;
                    if (clock.Elapsed > drainDeadline)
                    {
                        Abandoned++;
                        return;
                    }
                }

                Interlocked.Increment(ref _attempts);
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    await send(producerId, sequence, events, timeout.Token);
                    foreach (var (key, _) in events)
                    {
                        _ledger.AddOrUpdate(key, 1, (_, n) => n + 1);
                    }

                    Interlocked.Add(ref _eventsAcknowledged, events.Count);
                    AckTimes.Enqueue(clock.Elapsed);
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Not acknowledged: it may or may not have been applied. Same sequence again.
                    Interlocked.Increment(ref _failures);
                    await Task.Delay(100, CancellationToken.None);
                }
            }

            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, CancellationToken.None);
            }
        }
    }
}
