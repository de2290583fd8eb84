using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// What tells a re-sent batch from a reuse of its (producer, sequence) for other events: the batch's content fingerprint
/// (keys and values; not order, not timestamps) and the producer window that records it per sequence, in memory and in
/// snapshots, including snapshots written before fingerprints existed.
/// </summary>
public sealed class BatchIdentityTests
{
    private static IngestEvent Event(string key, params (string Name, double Value)[] values) => new()
    {
        Key = key,
        Values = values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal),
        Timestamp = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void The_fingerprint_ignores_order_and_timestamps_but_sees_every_key_and_value()
    {
        List<IngestEvent> batch = [Event("home", ("ms", 12), ("bytes", 300)), Event("cart", ("ms", 30.5)), Event("home", ("ms", 12), ("bytes", 300))];
        var fingerprint = BatchFingerprint.Of(batch);

        List<IngestEvent> reordered = [Event("cart", ("ms", 30.5)), Event("home", ("bytes", 300), ("ms", 12)), Event("home", ("ms", 12), ("bytes", 300))];
        foreach (var e in reordered)
        {
            e.Timestamp = DateTimeOffset.UnixEpoch; // the server stamps events without one on arrival: a re-send differs there
        }

        Assert.Equal(fingerprint, BatchFingerprint.Of(reordered));
        Assert.Equal(BatchFingerprint.Of([Event("k", ("v", 0))]), BatchFingerprint.Of([Event("k", ("v", -0.0))]));

        List<List<IngestEvent>> others =
        [
            [Event("home", ("ms", 12), ("bytes", 300)), Event("cart", ("ms", 30.5))],                                      // one event fewer
            [Event("home", ("ms", 12), ("bytes", 300)), Event("cart", ("ms", 30.5)), Event("home", ("ms", 12), ("bytes", 301))], // a value
            [Event("home", ("ms", 12), ("bytes", 300)), Event("cart", ("ms", 30.5)), Event("Home", ("ms", 12), ("bytes", 300))], // a key
            [Event("home", ("ms", 12), ("bytes", 300)), Event("cart", ("ms", 30.5)), Event("home", ("ms", 12), ("byte", 300))],  // a value name
            [Event("home", ("ms", 12), ("bytes", 300)), Event("cart", ("ms", 30.5)), Event("home", ("ms", 12))],                // a value fewer
            [.. batch, Event("x")],                                                                                         // an extra event without values
        ];
        foreach (var other in others)
        {
            Assert.NotEqual(fingerprint, BatchFingerprint.Of(other));
        }

        Assert.NotEqual(0UL, BatchFingerprint.Of([]));
    }

    [Fact]
    public void A_recorded_sequence_is_a_duplicate_with_the_same_content_and_a_conflict_with_other_content()
    {
        var window = new ProducerWindow();
        Assert.Equal(BatchVerdict.New, window.TryAccept(7, 0xAAAA));
        Assert.Equal(BatchVerdict.New, window.TryAccept(5, 0xBBBB)); // out of order, within the window
        Assert.Equal(BatchVerdict.Duplicate, window.TryAccept(7, 0xAAAA));
        Assert.Equal(BatchVerdict.Conflict, window.TryAccept(7, 0xCCCC));
        Assert.Equal(BatchVerdict.Conflict, window.TryAccept(5, 0xAAAA));
        Assert.Equal(BatchVerdict.Duplicate, window.TryAccept(5, 0)); // a caller that sends no fingerprint: as before fingerprints
        Assert.Equal(7, window.Highest);
    }

    [Fact]
    public void A_sequence_below_the_window_is_refused_rather_than_taken_for_a_duplicate()
    {
        var window = new ProducerWindow();
        for (long s = 1; s <= ProducerWindow.Window + 600; s++)
        {
            Assert.Equal(BatchVerdict.New, window.TryAccept(s, (ulong)s));
        }

        // Sequence 1's record was pruned: whether "1" with any content was sent cannot be checked, so it is not silently dropped.
        Assert.Equal(BatchVerdict.BelowWindow, window.TryAccept(1, 1));
        Assert.Equal(BatchVerdict.BelowWindow, window.TryAccept(600, 12345));
        Assert.Equal(BatchVerdict.Duplicate, window.TryAccept(ProducerWindow.Window + 600, ProducerWindow.Window + 600));
        Assert.InRange(window.Fingerprints.Count, ProducerWindow.Window, ProducerWindow.Window + 512 + 1);
    }

    [Fact]
    public void Fingerprints_survive_a_snapshot_and_a_window_from_before_fingerprints_still_knows_its_sequences()
    {
        var window = new ProducerWindow();
        window.TryAccept(1, 0x1111);
        window.TryAccept(2, 0x2222);
        var snapshot = Wire.Deserialize<PartitionSnapshot>(Wire.Serialize(new PartitionSnapshot { Producers = { ["p"] = window } }));
        var restored = snapshot.Producers["p"];
        Assert.Equal(BatchVerdict.Duplicate, restored.TryAccept(2, 0x2222));
        Assert.Equal(BatchVerdict.Conflict, restored.TryAccept(2, 0x9999));

        // A snapshot written before fingerprints held only the sequences (Recent): they stay duplicates (content unknown),
        // and are not taken for new batches.
        var legacy = new ProducerWindow { HasAny = true, Highest = 9, Recent = [8, 9] };
        var upgraded = Wire.Deserialize<PartitionSnapshot>(Wire.Serialize(new PartitionSnapshot { Producers = { ["p"] = legacy } })).Producers["p"];
        Assert.Equal(BatchVerdict.Duplicate, upgraded.TryAccept(9, 0x1234));
        Assert.Equal(BatchVerdict.Duplicate, upgraded.TryAccept(8, 0x5678));
        Assert.Equal(BatchVerdict.New, upgraded.TryAccept(10, 0x1234));
        Assert.Null(upgraded.Recent);
    }
}
