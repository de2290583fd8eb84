using Microsoft.Data.Sqlite;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Sqlite;

/// <summary>What only a file-backed provider has to get right: restarts, several instances on one file, paths, locks.</summary>
public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string StateName = "profile";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteGrainStorage Create(string? path = null, Action<SqliteGrainStorageOptions>? configure = null, string name = "sqlite-tests")
    {
        var options = new SqliteGrainStorageOptions { DatabasePath = path ?? _folder.File("grains.db") };
        configure?.Invoke(options);
        return TestStorage.CreateSqlite(name, options);
    }

    private static async Task<GrainState<ProfileState>> ReadAsync(SqliteGrainStorage storage, GrainId grainId, string stateName = StateName)
    {
        var grainState = new GrainState<ProfileState>(new ProfileState());
        await storage.ReadStateAsync(stateName, grainId, grainState);
        return grainState;
    }

    private static GrainId NewGrainId() => GrainId.Create("user", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task State_survives_closing_and_reopening_the_database()
    {
        var grainId = NewGrainId();
        var written = new GrainState<ProfileState>(new ProfileState { Name = "durable", Visits = 5 });
        await using (var beforeRestart = Create())
        {
            await beforeRestart.WriteStateAsync(StateName, grainId, written);
        }

        SqliteConnection.ClearAllPools();
        await using var afterRestart = Create();
        var read = await ReadAsync(afterRestart, grainId);

        Assert.True(read.RecordExists);
        Assert.Equal("durable", read.State!.Name);
        Assert.Equal(5, read.State!.Visits);
        Assert.Equal(written.ETag, read.ETag);

        // The ETag from before the restart is still the current one: the pre-restart holder may write.
        written.State!.Visits = 6;
        await afterRestart.WriteStateAsync(StateName, grainId, written);
        Assert.Equal(6, (await ReadAsync(afterRestart, grainId)).State!.Visits);
    }

    [Fact]
    public async Task Two_providers_on_one_file_see_each_others_writes_and_refuse_stale_ones()
    {
        var grainId = NewGrainId();
        await using var silo1 = Create();
        await using var silo2 = Create();

        var onSilo1 = new GrainState<ProfileState>(new ProfileState { Name = "from silo 1" });
        await silo1.WriteStateAsync(StateName, grainId, onSilo1);

        var onSilo2 = await ReadAsync(silo2, grainId);
        Assert.Equal("from silo 1", onSilo2.State!.Name);
        onSilo2.State!.Name = "from silo 2";
        await silo2.WriteStateAsync(StateName, grainId, onSilo2);

        onSilo1.State!.Name = "stale write from silo 1";
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo1.WriteStateAsync(StateName, grainId, onSilo1));
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo1.ClearStateAsync(StateName, grainId, onSilo1));
        Assert.Equal("from silo 2", (await ReadAsync(silo1, grainId)).State!.Name);
    }

    [Fact]
    public async Task Concurrent_writers_on_two_providers_on_one_file_exactly_one_wins()
    {
        var grainId = NewGrainId();
        await using var silo1 = Create();
        // A different busy timeout gives a different connection string, so the second provider has its own pool,
        // like a second process would.
        await using var silo2 = Create(configure: o => o.BusyTimeout = TimeSpan.FromSeconds(6));
        var initial = new GrainState<ProfileState>(new ProfileState { Name = "initial" });
        await silo1.WriteStateAsync(StateName, grainId, initial);

        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var storage = i % 2 == 0 ? silo1 : silo2;
            var grainState = new GrainState<ProfileState>(new ProfileState { Name = $"writer {i}" }, initial.ETag);
            start.Wait();
            try
            {
                await storage.WriteStateAsync(StateName, grainId, grainState);
                return (Name: grainState.State!.Name, Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Name: grainState.State!.Name, Error: ex);
            }
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(tasks);

        var winner = Assert.Single(outcomes, o => o.Error is null);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.IsType<InconsistentStateException>(o.Error));
        Assert.Equal(winner.Name, (await ReadAsync(silo2, grainId)).State!.Name);
    }

    [Fact]
    public async Task The_database_is_created_with_its_folders_in_wal_mode()
    {
        var path = _folder.File("nested", "deeper", "grains.db");
        await using var storage = Create(path);

        await storage.InitializeAsync();

        Assert.True(File.Exists(path));
        Assert.Equal(Path.GetFullPath(path), storage.DatabasePath);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task State_is_stored_as_readable_json_in_the_configured_table()
    {
        var path = _folder.File("grains.db");
        var grainId = NewGrainId();
        await using var storage = Create(path, o => o.TableName = "profiles_v1");
        await storage.WriteStateAsync(StateName, grainId, new GrainState<ProfileState>(new ProfileState { Name = "Zoë" }));

        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT CAST(payload AS TEXT) FROM profiles_v1 WHERE state_name = $s AND grain_type = $t AND grain_key = $k;";
        command.Parameters.AddWithValue("$s", StateName);
        command.Parameters.AddWithValue("$t", grainId.Type.ToString());
        command.Parameters.AddWithValue("$k", grainId.Key.ToString());
        var json = (string?)await command.ExecuteScalarAsync();

        Assert.NotNull(json);
        Assert.Contains("\"Name\":\"Zoë\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Providers_with_different_tables_in_one_file_are_independent()
    {
        var grainId = NewGrainId();
        await using var first = Create(configure: o => o.TableName = "state_a");
        await using var second = Create(configure: o => o.TableName = "state_b");

        await first.WriteStateAsync(StateName, grainId, new GrainState<ProfileState>(new ProfileState { Name = "a" }));

        Assert.False((await ReadAsync(second, grainId)).RecordExists);
        Assert.True((await ReadAsync(first, grainId)).RecordExists);
    }

    [Fact]
    public async Task Synchronous_full_mode_reads_and_writes()
    {
        var grainId = NewGrainId();
        await using var storage = Create(configure: o => o.Synchronous = SqliteSynchronousMode.Full);

        await storage.WriteStateAsync(StateName, grainId, new GrainState<ProfileState>(new ProfileState { Name = "fsynced" }));

        Assert.Equal("fsynced", (await ReadAsync(storage, grainId)).State!.Name);
    }

    [Fact]
    public async Task An_unusable_database_path_fails_the_first_use_with_a_message_naming_the_setting()
    {
        var blocker = _folder.File("not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where a folder should be");
        await using var storage = Create(Path.Combine(blocker, "grains.db"), name: "broken");
        var grainId = NewGrainId();

        var error = await Assert.ThrowsAsync<SqliteGrainStorageException>(() => ReadAsync(storage, grainId));

        Assert.Contains("SqliteGrainStorageOptions.DatabasePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("'broken'", error.Message, StringComparison.Ordinal);
        Assert.Contains(StateName, error.Message, StringComparison.Ordinal);
        Assert.Contains(grainId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(blocker, error.Message, StringComparison.Ordinal);
        var startUp = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.InitializeAsync());
        Assert.Contains("SqliteGrainStorageOptions.DatabasePath", startUp.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "DatabasePath")]
    [InlineData("   ", "DatabasePath")]
    public void A_missing_database_path_is_rejected_naming_the_setting(string? path, string setting)
    {
        var options = new SqliteGrainStorageOptions { DatabasePath = path };

        var error = Assert.Throws<ArgumentException>(() => TestStorage.CreateSqlite("x", options));

        Assert.Contains($"SqliteGrainStorageOptions.{setting}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directly_constructed_provider_needs_a_serializer()
    {
        var options = new SqliteGrainStorageOptions { DatabasePath = _folder.File("grains.db") };

        var error = Assert.Throws<ArgumentException>(() => new SqliteGrainStorage("x", options, TestStorage.Activators));

        Assert.Contains("SqliteGrainStorageOptions.GrainStorageSerializer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_serializer_in_the_options_is_the_one_used()
    {
        var serializer = new CountingSerializer();
        await using var storage = Create(configure: o => o.GrainStorageSerializer = serializer);

        await storage.WriteStateAsync(StateName, NewGrainId(), new GrainState<ProfileState>(new ProfileState()));

        Assert.Equal(1, serializer.SerializeCalls);
    }

    [Theory]
    [InlineData("grain state")]
    [InlineData("x; DROP TABLE y")]
    [InlineData("1table")]
    [InlineData("")]
    public void A_table_name_that_is_not_a_plain_identifier_is_rejected(string tableName)
    {
        var options = new SqliteGrainStorageOptions { DatabasePath = _folder.File("grains.db"), TableName = tableName };

        var error = Assert.Throws<ArgumentException>(() => TestStorage.CreateSqlite("x", options));

        Assert.Contains("SqliteGrainStorageOptions.TableName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_stored_bytes_fail_with_a_message_naming_provider_state_and_grain()
    {
        var path = _folder.File("grains.db");
        var grainId = NewGrainId();
        await using var storage = Create(path, name: "corrupt-test");
        await storage.WriteStateAsync(StateName, grainId, new GrainState<ProfileState>(new ProfileState { Name = "ok" }));
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE grain_state SET payload = X'00FF00';";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<SqliteGrainStorageException>(() => ReadAsync(storage, grainId));

        Assert.Contains("SqliteGrainStorage 'corrupt-test'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"state '{StateName}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(grainId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(grainId, error.GrainId);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task A_write_blocked_past_the_busy_timeout_fails_as_a_storage_error_and_succeeds_once_the_lock_is_gone()
    {
        var path = _folder.File("grains.db");
        var grainId = NewGrainId();
        await using var storage = Create(path, o => o.BusyTimeout = TimeSpan.FromMilliseconds(200));
        await storage.InitializeAsync();
        var grainState = new GrainState<ProfileState>(new ProfileState { Name = "blocked" });

        await using (var locker = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await locker.OpenAsync();
            await using var transaction = locker.BeginTransaction(deferred: false);

            var error = await Assert.ThrowsAsync<SqliteGrainStorageException>(() => storage.WriteStateAsync(StateName, grainId, grainState));
            Assert.IsType<SqliteException>(error.InnerException);
            Assert.Null(grainState.ETag);
        }

        await storage.WriteStateAsync(StateName, grainId, grainState);
        Assert.Equal("blocked", (await ReadAsync(storage, grainId)).State!.Name);
    }

    [Fact]
    public async Task A_disposed_provider_refuses_further_use()
    {
        var storage = Create();
        await storage.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => ReadAsync(storage, NewGrainId()));
    }
}
