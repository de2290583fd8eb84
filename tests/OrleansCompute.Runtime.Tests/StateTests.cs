using OrleansCompute.Hosting;
using OrleansCompute.Runtime.Tests.Grains;
using OrleansCompute.Runtime.Tests.Infrastructure;
using OrleansCompute.Storage;

namespace OrleansCompute.Runtime.Tests;

public sealed class StateTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ocx-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private Task<SiloHarness> StartSqliteSilo() => SiloHarness.StartAsync(silo =>
    {
        silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = Path.Combine(_folder, "state.db"));
        silo.AddSqliteGrainStorage("Secondary", o => o.DatabasePath = Path.Combine(_folder, "secondary.db"));
    });

    [Fact]
    public async Task State_is_read_before_OnActivateAsync_and_survives_deactivation()
    {
        await using var silo = await SiloHarness.StartAsync(silo =>
        {
            silo.AddMemoryGrainStorage();
            silo.AddMemoryGrainStorage("Secondary");
        });
        var grain = silo.GrainFactory.GetGrain<IProfileGrain>("p1");
        Assert.False(await grain.RecordExists());
        await grain.SetName("ada");
        await grain.SetName("grace");
        await grain.Deactivate();

        Assert.Equal("grace", await grain.GetName());
        Assert.Equal(2002, await grain.Writes());
        Assert.True(await grain.RecordExists());
    }

    [Fact]
    public async Task State_survives_a_silo_restart_on_SQLite()
    {
        await using (var silo = await StartSqliteSilo())
        {
            var grain = silo.GrainFactory.GetGrain<IProfileGrain>("restart");
            for (var i = 0; i < 5; i++)
            {
                await grain.SetName($"v{i}");
            }
        }

        await using (var silo = await StartSqliteSilo())
        {
            var grain = silo.GrainFactory.GetGrain<IProfileGrain>("restart");
            Assert.Equal("v4", await grain.GetName());
            Assert.Equal(5005, await grain.Writes());
        }
    }

    [Fact]
    public async Task A_stale_write_throws_InconsistentStateException_and_keeps_the_stored_value()
    {
        await using var silo = await StartSqliteSilo();
        var grain = silo.GrainFactory.GetGrain<IProfileGrain>("stale");
        await grain.SetName("first");
        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.WriteStale());
        await grain.Deactivate();
        Assert.Equal("written-elsewhere", await grain.GetName());
    }

    [Fact]
    public async Task Clearing_state_removes_the_record()
    {
        await using var silo = await StartSqliteSilo();
        var grain = silo.GrainFactory.GetGrain<IProfileGrain>("clear");
        await grain.SetName("x");
        await grain.Clear();
        await grain.Deactivate();
        Assert.False(await grain.RecordExists());
        Assert.Null(await grain.GetName());
    }

    [Fact]
    public async Task A_grain_whose_storage_is_not_registered_fails_with_a_message_saying_which()
    {
        await using var silo = await SiloHarness.StartAsync(silo => silo.AddMemoryGrainStorage());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.GrainFactory.GetGrain<IMissingStorageGrain>("m").Get());
        Assert.Contains("'NoSuchStorage'", error.Message);
    }
}
