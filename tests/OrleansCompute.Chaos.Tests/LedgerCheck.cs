using System.Diagnostics;

namespace OrleansCompute.Chaos.Tests;

/// <summary>Compares the server's per-key counts with the producers' ledgers.</summary>
internal sealed record LedgerCheck(long Expected, long Counted, int KeysLost, int KeysDoubled, long EventsLost, long EventsDoubled,
    IReadOnlyList<string> Stuck, IReadOnlyList<string> Mismatches)
{
    /// <summary>
    /// Reads every key's count (each read retried for at most <paramref name="perKey"/>: a key that never answers is
    /// "stuck") and compares it with the sum of the producers' ledgers.
    /// </summary>
    public static async Task<LedgerCheck> RunAsync(IReadOnlyList<string> keys, IEnumerable<Producer> producers,
        Func<string, CancellationToken, Task<long>> count, TimeSpan perKey)
    {
        var ledgers = producers.ToList();
        long expected = 0, counted = 0, lost = 0, doubled = 0;
        int keysLost = 0, keysDoubled = 0;
        var stuck = new List<string>();
        var mismatches = new List<string>();
        foreach (var key in keys)
        {
            var want = ledgers.Sum(p => p.Ledger.GetValueOrDefault(key));
            expected += want;
            long? got = null;
            var clock = Stopwatch.StartNew();
            while (got is null && clock.Elapsed < perKey)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    got = await count(key, timeout.Token);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    await Task.Delay(200);
                }
            }

            if (got is not { } value)
            {
                stuck.Add(key);
                continue;
            }

            counted += value;
            if (value < want)
            {
                keysLost++;
                lost += want - value;
            }
            else if (value > want)
            {
                keysDoubled++;
                doubled += value - want;
            }

            if (value != want && mismatches.Count < 20)
            {
                mismatches.Add($"{key}: counted {value}, ledger {want}");
            }
        }

        return new LedgerCheck(expected, counted, keysLost, keysDoubled, lost, doubled, stuck, mismatches);
    }

    public override string ToString() =>
        $"ledger {Expected}, counted {Counted}; lost {EventsLost} ({KeysLost} keys), doubled {EventsDoubled} ({KeysDoubled} keys), stuck {Stuck.Count}"
        + (Mismatches.Count == 0 ? "" : "; " + string.Join("; ", Mismatches));
}
