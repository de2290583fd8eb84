using System.Text;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.LogConformance;

/// <summary>
/// The <see cref="IGrainLogStorage"/> contract, written once and run against every provider that offers it.
/// Every test uses fresh grain ids and state names.
/// </summary>
public abstract class GrainLogStorageConformanceTests : IAsyncLifetime
{
    private IGrainLogStorage? _storage;

    protected IGrainLogStorage Storage => _storage ?? throw new InvalidOperationException("The storage is created in InitializeAsync.");

    /// <summary>Creates the provider under test (the same object a silo would register as its grain storage).</summary>
    protected abstract Task<IGrainLogStorage> CreateStorageAsync();

    public virtual async Task InitializeAsync() => _storage = await CreateStorageAsync();

    public virtual async Task DisposeAsync()
    {
        switch (_storage)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private static GrainId NewGrainId() => GrainId.Create("log-conformance", Guid.NewGuid().ToString("N"));

    private static string NewStateName() => "log-" + Guid.NewGuid().ToString("N")[..12];

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    [Fact]
    public async Task A_missing_log_reads_as_empty()
    {
        var log = await Storage.ReadLogAsync(NewStateName(), NewGrainId());
        Assert.Null(log.Snapshot);
        Assert.Empty(log.Records);
        Assert.Equal(0, log.SnapshotSequence);
        Assert.Equal(0, log.LastSequence);
    }

    [Fact]
    public async Task Appended_records_read_back_in_order_with_their_bytes()
    {
        var (state, grain) = (NewStateName(), NewGrainId());
        for (var i = 1; i <= 5; i++)
        {
            await Storage.AppendLogAsync(state, grain, i, Bytes($"record {i}"));
        }

        var log = await Storage.ReadLogAsync(state, grain);
        Assert.Null(log.Snapshot);
        Assert.Equal([1L, 2, 3, 4, 5], log.Records.Select(r => r.Sequence));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"record {i}"), log.Records.Select(r => Text(r.Data)));
        Assert.Equal(5, log.LastSequence);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task An_append_that_does_not_follow_the_last_sequence_is_refused_and_stores_nothing(long sequence)
    {
        var (state, grain) = (NewStateName(), NewGrainId());
        await Storage.AppendLogAsync(state, grain, 1, Bytes("one"));
        await Storage.AppendLogAsync(state, grain, 2, Bytes("two"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.AppendLogAsync(state, grain, sequence, Bytes("bad")));

        var log = await Storage.ReadLogAsync(state, grain);
        Assert.Equal(["one", "two"], log.Records.Select(r => Text(r.Data)));
    }

    [Fact]
    public async Task The_first_append_must_be_sequence_one()
    {
        var (state, grain) = (NewStateName(), NewGrainId());
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.AppendLogAsync(state, grain, 2, Bytes("two")));
        Assert.Empty((await Storage.ReadLogAsync(state, grain)).Records);
    }

    [Fact]
    public async Task A_snapshot_replaces_the_records_it_covers_and_appends_continue_after_it()
    {
        var (state, grain) = (NewStateName(), NewGrainId());
        for (var i = 1; i <= 4; i++)
        {
            await Storage.AppendLogAsync(state, grain, i, Bytes($"r{i}"));
        }

        await Storage.WriteLogSnapshotAsync(state, grain, 3, Bytes("state@3"));
        var log = await Storage.ReadLogAsync(state, grain);
        Assert.Equal(3, log.SnapshotSequence);
        Assert.Equal("state@3", Text(log.Snapshot!.Value));
        Assert.Equal([4L], log.Records.Select(r => r.Sequence));
        Assert.Equal(4, log.LastSequence);

        await Storage.AppendLogAsync(state, grain, 5, Bytes("r5"));
        await Storage.WriteLogSnapshotAsync(state, grain, 5, Bytes("state@5"));
        log = await Storage.ReadLogAsync(state, grain);
        Assert.Equal(5, log.SnapshotSequence);
        Assert.Equal("state@5", Text(log.Snapshot!.Value));
        Assert.Empty(log.Records);
        Assert.Equal(5, log.LastSequence);

        // After a snapshot with no records left, the next append still follows the snapshot's sequence.
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.AppendLogAsync(state, grain, 1, Bytes("stale")));
        await Storage.AppendLogAsync(state, grain, 6, Bytes("r6"));
        Assert.Equal([6L], (await Storage.ReadLogAsync(state, grain)).Records.Select(r => r.Sequence));
    }

    [Fact]
    public async Task A_snapshot_outside_the_stored_range_is_refused_and_changes_nothing()
    {
        var (state, grain) = (NewStateName(), NewGrainId());
        await Storage.AppendLogAsync(state, grain, 1, Bytes("r1"));
        await Storage.AppendLogAsync(state, grain, 2, Bytes("r2"));
        await Storage.WriteLogSnapshotAsync(state, grain, 2, Bytes("state@2"));
        await Storage.AppendLogAsync(state, grain, 3, Bytes("r3"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteLogSnapshotAsync(state, grain, 4, Bytes("ahead")));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteLogSnapshotAsync(state, grain, 1, Bytes("behind")));

        var log = await Storage.ReadLogAsync(state, grain);
        Assert.Equal(2, log.SnapshotSequence);
        Assert.Equal("state@2", Text(log.Snapshot!.Value));
        Assert.Equal(["r3"], log.Records.Select(r => Text(r.Data)));
    }

    [Fact]
    public async Task Of_two_writers_appending_the_same_sequence_exactly_one_wins()
    {
        var (state, grain) = (NewStateName(), NewGrainId());
        await Storage.AppendLogAsync(state, grain, 1, Bytes("base"));
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Storage.AppendLogAsync(state, grain, 2, Bytes($"writer {i}"));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }).ToArray();

        var won = await Task.WhenAll(attempts);
        Assert.Equal(1, won.Count(w => w));
        var log = await Storage.ReadLogAsync(state, grain);
        Assert.Equal(2, log.Records.Count);
        Assert.Equal($"writer {Array.IndexOf(won, true)}", Text(log.Records[1].Data));
    }

    [Fact]
    public async Task Many_grains_appending_concurrently_each_keep_their_own_contiguous_log()
    {
        var state = NewStateName();
        var grains = Enumerable.Range(0, 20).Select(_ => NewGrainId()).ToArray();
        await Task.WhenAll(grains.Select(async (grain, g) =>
        {
            for (var i = 1; i <= 25; i++)
            {
                await Storage.AppendLogAsync(state, grain, i, Bytes($"{g}:{i}"));
            }
        }));

        for (var g = 0; g < grains.Length; g++)
        {
            var log = await Storage.ReadLogAsync(state, grains[g]);
            Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), log.Records.Select(r => r.Sequence));
            Assert.Equal(Enumerable.Range(1, 25).Select(i => $"{g}:{i}"), log.Records.Select(r => Text(r.Data)));
        }
    }

    [Fact]
    public async Task Logs_with_different_state_names_or_grains_are_independent_and_clear_removes_one()
    {
        var (a, b, grain, other) = (NewStateName(), NewStateName(), NewGrainId(), NewGrainId());
        await Storage.AppendLogAsync(a, grain, 1, Bytes("a1"));
        await Storage.AppendLogAsync(b, grain, 1, Bytes("b1"));
        await Storage.AppendLogAsync(a, other, 1, Bytes("other1"));
        await Storage.WriteLogSnapshotAsync(a, grain, 1, Bytes("a@1"));

        await Storage.ClearLogAsync(a, grain);

        var cleared = await Storage.ReadLogAsync(a, grain);
        Assert.Null(cleared.Snapshot);
        Assert.Empty(cleared.Records);
        Assert.Equal(["b1"], (await Storage.ReadLogAsync(b, grain)).Records.Select(r => Text(r.Data)));
        Assert.Equal(["other1"], (await Storage.ReadLogAsync(a, other)).Records.Select(r => Text(r.Data)));

        // A cleared log starts again at 1; clearing a missing log is a no-op.
        await Storage.AppendLogAsync(a, grain, 1, Bytes("again"));
        await Storage.ClearLogAsync(NewStateName(), NewGrainId());
        Assert.Equal(["again"], (await Storage.ReadLogAsync(a, grain)).Records.Select(r => Text(r.Data)));
    }

    [Fact]
    public async Task Stored_bytes_do_not_change_when_the_caller_reuses_its_buffer()
    {
        var (state, grain) = (NewStateName(), NewGrainId());
        var buffer = Bytes("first");
        await Storage.AppendLogAsync(state, grain, 1, buffer);
        Bytes("XXXXX").CopyTo(buffer, 0);
        Assert.Equal("first", Text((await Storage.ReadLogAsync(state, grain)).Records[0].Data));
    }

    [Fact]
    public async Task A_default_grain_id_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.AppendLogAsync("s", default, 1, Bytes("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.ReadLogAsync("s", default));
    }
}
