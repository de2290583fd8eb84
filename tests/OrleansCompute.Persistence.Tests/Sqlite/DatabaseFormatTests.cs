using Microsoft.Data.Sqlite;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Sqlite;

/// <summary>
/// The format stamp: a database written by OrleansCompute before it moved to Microsoft Orleans (its own serializer,
/// no stamp) is refused with instructions and left untouched; new databases are stamped; unknown ones are refused.
/// </summary>
public sealed class DatabaseFormatTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// A database as the previous runtime's SqliteGrainStorage left it (schema from before the move, WAL mode, no stamp)
    /// with one state row in its own binary format, plus the log tables if <paramref name="withLog"/>.
    /// </summary>
    internal static async Task CreatePreOrleansDatabaseAsync(string path, bool withLog = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS grain_state (
                state_name  TEXT NOT NULL,
                grain_type  TEXT NOT NULL,
                grain_key   TEXT NOT NULL,
                etag        TEXT NOT NULL,
                payload     BLOB NOT NULL,
                updated_utc TEXT NOT NULL,
                PRIMARY KEY (state_name, grain_type, grain_key)
            );
            INSERT INTO grain_state VALUES ('job', 'job', 'flights-2024', '0193a5e2c0de7000a000000000000001', X'0A0B0C0D01020304', '2026-12-01T10:00:00.0000000Z');
            """;
        await command.ExecuteNonQueryAsync();
        if (withLog)
        {
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS grain_state_log (
                    state_name TEXT NOT NULL, grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL,
                    PRIMARY KEY (state_name, grain_type, grain_key, seq));
                CREATE TABLE IF NOT EXISTS grain_state_snapshot (
                    state_name TEXT NOT NULL, grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL,
                    PRIMARY KEY (state_name, grain_type, grain_key));
                INSERT INTO grain_state_log VALUES ('events', 'stream-partition', '7', 1, X'01');
                """;
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<List<string>> TablesAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static SqliteGrainStorage Create(string path, string name = "Default")
        => TestStorage.CreateSqlite(name, new SqliteGrainStorageOptions { DatabasePath = path });

    [Fact]
    public async Task A_new_database_is_stamped_with_the_format_and_opens_again()
    {
        var path = _folder.File("grains.db");
        await using (var storage = Create(path))
        {
            await storage.InitializeAsync();
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal((long)SqliteGrainStorage.ApplicationId, await ScalarAsync(path, "PRAGMA application_id;"));
        Assert.Equal((long)SqliteGrainStorage.FormatVersion, await ScalarAsync(path, "PRAGMA user_version;"));
        Assert.Equal(["grain_state", "grain_state_log", "grain_state_snapshot"], await TablesAsync(path));

        await using var reopened = Create(path);
        var grainId = GrainId.Create("user", "again");
        await reopened.WriteStateAsync("s", grainId, new GrainState<ProfileState>(new ProfileState { Name = "again" }));
    }

    [Fact]
    public async Task A_database_written_before_the_move_to_Orleans_is_refused_with_instructions_and_left_untouched()
    {
        var path = _folder.File(".data", "grain-state.db");
        await CreatePreOrleansDatabaseAsync(path);
        var before = await File.ReadAllBytesAsync(path);
        await using var storage = Create(path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.InitializeAsync());

        Assert.Contains("SQLite grain storage 'Default'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(path), error.Message, StringComparison.Ordinal);
        Assert.Contains("written by OrleansCompute before it moved to Microsoft Orleans (format 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing in the file was changed", error.Message, StringComparison.Ordinal);
        Assert.Contains($"mv {Path.Combine(_folder.Path, ".data")} {Path.Combine(_folder.Path, ".data")}.pre-orleans", error.Message, StringComparison.Ordinal);

        // Every use fails the same way; nothing was written.
        var onRead = await Assert.ThrowsAsync<SqliteGrainStorageException>(
            () => storage.ReadStateAsync("job", GrainId.Create("job", "flights-2024"), new GrainState<ProfileState>()));
        Assert.Contains("format 1", onRead.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SqliteGrainStorageException>(() => storage.ReadLogAsync("events", GrainId.Create("stream-partition", "7")));
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Equal(0L, await ScalarAsync(path, "PRAGMA user_version;"));
        Assert.Equal(1L, await ScalarAsync(path, "SELECT count(*) FROM grain_state;"));
    }

    [Fact]
    public async Task A_pre_Orleans_database_with_only_another_providers_table_is_refused_too()
    {
        var path = _folder.File("grains.db");
        await CreatePreOrleansDatabaseAsync(path, withLog: false);
        await using var storage = TestStorage.CreateSqlite("archive", new SqliteGrainStorageOptions { DatabasePath = path, TableName = "archive_state" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.InitializeAsync());

        Assert.Contains("format 1: table 'grain_state'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("archive_state", await TablesAsync(path));
    }

    [Fact]
    public async Task The_advice_names_the_folder_relative_to_the_current_directory()
    {
        // The embedded default is ./.data/grain-state.db: the advice reads "mv .data .data.pre-orleans".
        var path = Path.Combine(".data-format-test-" + Guid.NewGuid().ToString("N")[..8], "grain-state.db");
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            await CreatePreOrleansDatabaseAsync(path);
            await using var storage = Create(path);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.InitializeAsync());

            Assert.Contains($"mv {folder} {folder}.pre-orleans", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_empty_file_is_taken_as_new()
    {
        var path = _folder.File("empty.db");
        await File.WriteAllBytesAsync(path, []);
        await using var storage = Create(path);

        await storage.InitializeAsync();

        SqliteConnection.ClearAllPools();
        Assert.Equal((long)SqliteGrainStorage.FormatVersion, await ScalarAsync(path, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task A_database_of_a_newer_format_is_refused()
    {
        var path = _folder.File("grains.db");
        await using (var storage = Create(path))
        {
            await storage.InitializeAsync();
        }

        SqliteConnection.ClearAllPools();
        await ScalarAsync(path, $"PRAGMA user_version = {SqliteGrainStorage.FormatVersion + 1};");
        await using var newer = Create(path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.InitializeAsync());

        Assert.Contains($"format {SqliteGrainStorage.FormatVersion + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"reads only format {SqliteGrainStorage.FormatVersion}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_applications_database_is_refused()
    {
        var path = _folder.File("other.db");
        await ScalarAsync(path, "PRAGMA application_id = 12345; CREATE TABLE things (id INTEGER);");
        await using var storage = Create(path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.InitializeAsync());

        Assert.Contains("not an OrleansCompute grain database", error.Message, StringComparison.Ordinal);
        Assert.Equal(["things"], await TablesAsync(path));
    }
}
