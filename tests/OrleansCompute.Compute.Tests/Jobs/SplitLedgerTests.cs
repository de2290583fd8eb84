using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>The per-split records' compact persisted form: exact round trip, small size, refusal of damaged bytes.</summary>
public sealed class SplitLedgerTests
{
    [Fact]
    public void Records_round_trip_and_stay_compact()
    {
        var ledger = new SplitLedger(10_000);
        for (var i = 0; i < ledger.Count; i++)
        {
            ledger.Dispatched(i);
            ledger.Attempted(i);
            if (i % 7 == 0)
            {
                ledger.Retried(i);
                ledger.Attempted(i);
            }

            if (i % 3 != 0)
            {
                ledger.Done(i, $"10.0.0.{i % 3}:11111@12345678{i % 3}", TimeSpan.FromMilliseconds(100 + (i % 500)), 1000 + i, i % 11);
            }
        }

        ledger.Failed(9);
        ledger.Reset(4);
        ledger.Dispatched(4); // ran again after its merge was lost: a resume

        var bytes = ledger.Encode();
        Assert.True(bytes.Length < 12 * ledger.Count, $"{bytes.Length} bytes for {ledger.Count} splits");
        var back = SplitLedger.Decode(bytes);
        Assert.Equal(ledger.Count, back.Count);
        for (var i = 0; i < ledger.Count; i++)
        {
            Assert.Equivalent(ledger.Record(i), back.Record(i), strict: true);
        }

        Assert.Equal(ledger.DoneBySilo(), back.DoneBySilo());
        Assert.Equal(1, back.Record(4).Resumes);
        Assert.Equal(SplitState.Running, back.Record(4).State);
        Assert.Equal(SplitState.Failed, back.Record(9).State);
        Assert.Equal(bytes, back.Encode());
    }

    [Fact]
    public void Damaged_bytes_are_refused()
    {
        var ledger = new SplitLedger(3);
        ledger.Done(1, "127.0.0.1:11111@1", TimeSpan.FromSeconds(1), 5, 0);
        var bytes = ledger.Encode();
        Assert.Throws<InvalidDataException>(() => SplitLedger.Decode(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => SplitLedger.Decode([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => SplitLedger.Decode([]));
        var badVersion = bytes.ToArray();
        badVersion[0] = 99;
        Assert.Throws<InvalidDataException>(() => SplitLedger.Decode(badVersion));
    }

    [Fact]
    public void A_ledger_rebuilt_from_done_splits_counts_them_under_an_unknown_silo()
    {
        var ledger = SplitLedger.FromDone(5, [0, 2, 4, 7]);
        Assert.Equal(new Dictionary<string, int> { [""] = 3 }, ledger.DoneBySilo());
        Assert.Equal(2, ledger.Page(0, 10, SplitState.Pending).Total);
    }
}
