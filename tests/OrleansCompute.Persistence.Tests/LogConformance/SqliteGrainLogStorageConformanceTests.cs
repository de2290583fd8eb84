using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.LogConformance;

public sealed class SqliteGrainLogStorageConformanceTests : GrainLogStorageConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override Task<IGrainLogStorage> CreateStorageAsync() => Task.FromResult<IGrainLogStorage>(Create());

    private SqliteGrainStorage Create() => TestStorage.CreateSqlite(
        "sqlite-log-conformance",
        new SqliteGrainStorageOptions { DatabasePath = _folder.File("grains.db") });

    [Fact]
    public async Task Records_survive_a_new_provider_instance_on_the_same_file()
    {
        var grain = GrainId.Create("log-conformance", Guid.NewGuid().ToString("N"));
        await Storage.AppendLogAsync("durable", grain, 1, "one"u8.ToArray());
        await Storage.AppendLogAsync("durable", grain, 2, "two"u8.ToArray());
        await Storage.WriteLogSnapshotAsync("durable", grain, 1, "at-1"u8.ToArray());

        using var reopened = Create();
        var log = await reopened.ReadLogAsync("durable", grain);
        Assert.Equal(1, log.SnapshotSequence);
        Assert.Equal("at-1"u8.ToArray(), log.Snapshot!.Value.ToArray());
        Assert.Equal([2L], log.Records.Select(r => r.Sequence));

        // The sequence rule holds across instances sharing the file.
        await Assert.ThrowsAsync<InconsistentStateException>(() => reopened.AppendLogAsync("durable", grain, 2, "dup"u8.ToArray()));
    }

    [Fact]
    public async Task Log_tables_do_not_disturb_plain_grain_state_in_the_same_file()
    {
        var grain = GrainId.Create("log-conformance", Guid.NewGuid().ToString("N"));
        var plain = (IGrainStorage)Storage;
        var state = new GrainState<string>("hello");
        await plain.WriteStateAsync("same-name", grain, state);
        await Storage.AppendLogAsync("same-name", grain, 1, "record"u8.ToArray());

        var read = new GrainState<string>("");
        await plain.ReadStateAsync("same-name", grain, read);
        Assert.Equal("hello", read.State);
        Assert.Single((await Storage.ReadLogAsync("same-name", grain)).Records);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    public void Dispose() => _folder.Dispose();
}
