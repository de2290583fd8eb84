using System.Data;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OrleansCompute.Storage;

/// <summary>
/// Durable Orleans grain storage (<see cref="IGrainStorage"/>) in a local SQLite database file: the embedded default
/// for single-machine silos. The same object offers the product's append log (<see cref="IGrainLogStorage"/>).
/// </summary>
/// <remarks>
/// <para>One row per (state name, grain type, grain key) holding the serialized state and its ETag.
/// Optimistic concurrency is a compare-and-set inside a single SQL statement (<c>INSERT … ON CONFLICT DO NOTHING</c>
/// for a first write, <c>UPDATE/DELETE … WHERE etag = $expected</c> afterwards), so it holds across threads,
/// provider instances and processes sharing the file. Every statement is its own short transaction.</para>
/// <para>The database runs in WAL mode with <c>synchronous=NORMAL</c> by default (see <see cref="SqliteSynchronousMode"/>).
/// Connections come from Microsoft.Data.Sqlite's pool (keyed by connection string); each operation borrows one.
/// The folder, file and tables are created at silo start-up (the provider is an <see cref="ILifecycleParticipant{ISiloLifecycle}"/>
/// subscribed at <see cref="SqliteGrainStorageOptions.InitStage"/>), or on first use when constructed directly. A database
/// written by OrleansCompute before it moved to Microsoft Orleans is refused with instructions (see <see cref="InitializeAsync"/>).</para>
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IDisposable, IAsyncDisposable
{
    private readonly string _description;
    private readonly string _tableName;
    private readonly SqliteSynchronousMode _synchronous;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly int _initStage;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly int _commandTimeoutSeconds;
    private readonly string _connectionSetupSql;
    private readonly string _createTablesSql;
    private readonly string _selectSql;
    private readonly string _selectETagSql;
    private readonly string _insertSql;
    private readonly string _updateSql;
    private readonly string _deleteSql;
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private volatile bool _initialized;
    private volatile bool _disposed;

    /// <param name="name">The provider name (used in messages and logs).</param>
    /// <param name="options">The provider's settings, including its <see cref="SqliteGrainStorageOptions.GrainStorageSerializer"/>; validated here.</param>
    /// <param name="activatorProvider">Creates the default state a grain sees when it has no record (Orleans's activators, as its providers use).</param>
    /// <param name="logger">Optional logger.</param>
    public SqliteGrainStorage(string name, SqliteGrainStorageOptions options, IActivatorProvider activatorProvider, ILogger<SqliteGrainStorage>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(activatorProvider);
        SqliteGrainStorageOptionsValidation.ThrowIfInvalid(options, name);

        Name = name;
        _description = $"{nameof(SqliteGrainStorage)} '{name}'";
        _serializer = options.GrainStorageSerializer;
        _activatorProvider = activatorProvider;
        _initStage = options.InitStage;
        _logger = logger ?? NullLogger<SqliteGrainStorage>.Instance;
        _tableName = options.TableName;
        _synchronous = options.Synchronous;

        try
        {
            DatabasePath = Path.GetFullPath(options.DatabasePath!);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException(
                $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DatabasePath)} '{options.DatabasePath}' of SQLite grain storage '{name}' is not a valid path: {ex.Message}",
                nameof(options),
                ex);
        }

        var busyTimeoutMs = (int)Math.Ceiling(options.BusyTimeout.TotalMilliseconds);
        _commandTimeoutSeconds = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = _commandTimeoutSeconds,
        }.ToString();

        var synchronous = options.Synchronous == SqliteSynchronousMode.Full ? "FULL" : "NORMAL";

        // busy_timeout and synchronous are per connection (pooled connections keep them; setting them again is free).
        _connectionSetupSql = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA synchronous = {synchronous};");

        var t = _tableName;
        const string KeyMatch = "state_name = $state AND grain_type = $type AND grain_key = $key";
        _createTablesSql = $"""
            CREATE TABLE IF NOT EXISTS {t} (
                state_name  TEXT NOT NULL,
                grain_type  TEXT NOT NULL,
                grain_key   TEXT NOT NULL,
                etag        TEXT NOT NULL,
                payload     BLOB NOT NULL,
                updated_utc TEXT NOT NULL,
                PRIMARY KEY (state_name, grain_type, grain_key)
            );
            CREATE TABLE IF NOT EXISTS {t}_log (
                state_name TEXT NOT NULL,
                grain_type TEXT NOT NULL,
                grain_key  TEXT NOT NULL,
                seq        INTEGER NOT NULL,
                payload    BLOB NOT NULL,
                PRIMARY KEY (state_name, grain_type, grain_key, seq)
            );
            CREATE TABLE IF NOT EXISTS {t}_snapshot (
                state_name TEXT NOT NULL,
                grain_type TEXT NOT NULL,
                grain_key  TEXT NOT NULL,
                seq        INTEGER NOT NULL,
                payload    BLOB NOT NULL,
                PRIMARY KEY (state_name, grain_type, grain_key)
            );
            """;
        _selectSql = $"SELECT etag, payload FROM {t} WHERE {KeyMatch};";
        _selectETagSql = $"SELECT etag FROM {t} WHERE {KeyMatch};";
        _insertSql = $"INSERT INTO {t} (state_name, grain_type, grain_key, etag, payload, updated_utc) VALUES ($state, $type, $key, $etag, $payload, $now) "
            + "ON CONFLICT (state_name, grain_type, grain_key) DO NOTHING;";
        _updateSql = $"UPDATE {t} SET etag = $etag, payload = $payload, updated_utc = $now WHERE {KeyMatch} AND etag = $expected;";
        _deleteSql = $"DELETE FROM {t} WHERE {KeyMatch} AND etag = $expected;";
    }

    /// <summary>The provider name this instance is registered under.</summary>
    public string Name { get; }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Creates the folder, the database file (in WAL mode) and the tables if they are missing, and stamps a new file with
    /// this provider's format (see <see cref="FormatVersion"/>). Called at silo start-up and on first use; call it yourself
    /// to fail fast when the provider is used without a silo. Throws <see cref="InvalidOperationException"/> when the
    /// database cannot be opened or created (the message names <see cref="SqliteGrainStorageOptions.DatabasePath"/>), or
    /// when the file holds data this provider cannot read: written by OrleansCompute before it moved to Microsoft Orleans
    /// (format 1), by a newer version, or by another application. Such a file is left exactly as it was.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialized)
        {
            return;
        }

        await _initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            string journalMode;
            string? refusal;
            try
            {
                var folder = Path.GetDirectoryName(DatabasePath);
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }

                var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    // Check the format, create the tables and stamp a new file in one write transaction, so that
                    // providers in several processes starting on one new file agree (and a refused file is not touched).
                    refusal = await CreateOrCheckSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
                    if (refusal is null)
                    {
                        var command = connection.CreateCommand();
                        await using (command.ConfigureAwait(false))
                        {
                            command.CommandTimeout = _commandTimeoutSeconds;

                            // Persistent in the file: every later connection, from any process, uses WAL.
                            command.CommandText = "PRAGMA journal_mode = WAL;";
                            journalMode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "";
                        }
                    }
                    else
                    {
                        journalMode = "";
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogInitializationFailed(_logger, ex, Name, DatabasePath);
                throw new InvalidOperationException(
                    $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DatabasePath)} of SQLite grain storage '{Name}' is '{DatabasePath}', "
                    + $"which could not be opened or created: {ex.Message}",
                    ex);
            }

            if (refusal is not null)
            {
                LogFormatRefused(_logger, Name, DatabasePath, refusal);
                throw new InvalidOperationException(refusal);
            }

            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                LogJournalModeNotWal(_logger, Name, DatabasePath, journalMode);
            }

            _initialized = true;
            LogInitialized(_logger, Name, DatabasePath, _tableName, journalMode, _synchronous);
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    /// <summary>Opens the database when the silo starts, so a bad path or an old database fails the start, not the first grain.</summary>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(OptionFormattingUtilities.Name<SqliteGrainStorage>(Name), _initStage, InitializeAsync);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ValidateArguments(stateName, grainId, grainState);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = CreateCommand(connection, _selectSql, stateName, grainId);
                await using (command.ConfigureAwait(false))
                {
                    var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            ResetState(grainState);
                            return;
                        }

                        var eTag = reader.GetString(0);
                        var payload = reader.GetFieldValue<byte[]>(1);
                        grainState.State = _serializer.Deserialize<T>(new BinaryData(payload))!;
                        grainState.ETag = eTag;
                        grainState.RecordExists = true;
                    }
                }
            }
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure("read", stateName, grainId, ex);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ValidateArguments(stateName, grainId, grainState);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var payload = _serializer.Serialize(grainState.State).ToMemory();
            var expected = grainState.ETag;
            var eTag = NewETag();
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = CreateCommand(connection, expected is null ? _insertSql : _updateSql, stateName, grainId);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.Add("$etag", SqliteType.Text).Value = eTag;
                    command.Parameters.Add("$payload", SqliteType.Blob).Value = AsArray(payload);
                    command.Parameters.Add("$now", SqliteType.Text).Value = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
                    if (expected is not null)
                    {
                        command.Parameters.Add("$expected", SqliteType.Text).Value = expected;
                    }

                    if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        throw await ConflictAsync(connection, "write", stateName, grainId, expected, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            grainState.ETag = eTag;
            grainState.RecordExists = true;
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure("write", stateName, grainId, ex);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ValidateArguments(stateName, grainId, grainState);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var expected = grainState.ETag;
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                if (expected is null)
                {
                    // The caller expects no record: succeed if there is none, otherwise it is a conflict.
                    var stored = await ReadETagAsync(connection, stateName, grainId, cancellationToken).ConfigureAwait(false);
                    if (stored is not null)
                    {
                        throw Conflict("clear", stateName, grainId, stored, expected);
                    }
                }
                else
                {
                    var command = CreateCommand(connection, _deleteSql, stateName, grainId);
                    await using (command.ConfigureAwait(false))
                    {
                        command.Parameters.Add("$expected", SqliteType.Text).Value = expected;
                        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                        {
                            throw await ConflictAsync(connection, "clear", stateName, grainId, expected, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }

            ResetState(grainState);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure("clear", stateName, grainId, ex);
        }
    }

    /// <summary>Closes this database's idle pooled connections (which also checkpoints the WAL when none remain open).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _initializeLock.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    // The "no record" shape, as Orleans's own providers give it: a new state from Orleans's activator, no ETag, no record.
    private void ResetState<T>(IGrainState<T> grainState)
    {
        grainState.State = CreateState<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private T CreateState<T>() => _activatorProvider.GetActivator<T>().Create();

    private static byte[] AsArray(ReadOnlyMemory<byte> data)
        => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();

    private static string TypeText(GrainId grainId) => grainId.Type.ToString() ?? "";

    private static string KeyText(GrainId grainId) => grainId.Key.ToString();

    // Random and time-ordered (UUIDv7): differs on every write, also across a clear and re-create of the record,
    // where a per-row version number would start again and let a writer from before the clear succeed.
    private static string NewETag() => Guid.CreateVersion7().ToString("N");

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var setup = connection.CreateCommand();
            await using (setup.ConfigureAwait(false))
            {
                setup.CommandText = _connectionSetupSql;
                setup.CommandTimeout = _commandTimeoutSeconds;
                await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "SQL text is built once from constants and a validated identifier; values are parameters.")]
    private SqliteCommand CreateCommand(SqliteConnection connection, string sql, string stateName, GrainId grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = _commandTimeoutSeconds;
        command.Parameters.Add("$state", SqliteType.Text).Value = stateName;
        command.Parameters.Add("$type", SqliteType.Text).Value = TypeText(grainId);
        command.Parameters.Add("$key", SqliteType.Text).Value = KeyText(grainId);
        return command;
    }

    private async Task<string?> ReadETagAsync(SqliteConnection connection, string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        var command = CreateCommand(connection, _selectETagSql, stateName, grainId);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    // Only for the message: the refusal itself was decided atomically by the statement that changed no row.
    private async Task<InconsistentStateException> ConflictAsync(
        SqliteConnection connection, string operation, string stateName, GrainId grainId, string? expected, CancellationToken cancellationToken)
    {
        var stored = await ReadETagAsync(connection, stateName, grainId, cancellationToken).ConfigureAwait(false);
        return Conflict(operation, stateName, grainId, stored, expected);
    }

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? stored, string? expected)
    {
        LogConflict(_logger, Name, operation, stateName, grainId, stored, expected);
        return new InconsistentStateException(
            $"{_description} refused to {operation} state '{stateName}' of grain '{grainId}': the ETag does not match the stored record.",
            stored,
            expected);
    }

    private SqliteGrainStorageException Failure(string operation, string stateName, GrainId grainId, Exception ex)
    {
        LogOperationFailed(_logger, ex, Name, operation, stateName, grainId);
        return new SqliteGrainStorageException(_description, operation, stateName, grainId, ex);
    }

    private static bool IsStorageFailure(Exception ex)
        => ex is not (OperationCanceledException or InconsistentStateException or ObjectDisposedException);

    private static void ValidateArguments<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default value.", nameof(grainId));
        }
    }

    [LoggerMessage(1, LogLevel.Information, "SQLite grain storage '{Name}' ready: database {DatabasePath}, table {TableName}, journal mode {JournalMode}, synchronous {Synchronous}.")]
    private static partial void LogInitialized(ILogger logger, string name, string databasePath, string tableName, string journalMode, SqliteSynchronousMode synchronous);

    [LoggerMessage(2, LogLevel.Warning, "SQLite grain storage '{Name}': database {DatabasePath} runs in journal mode '{JournalMode}', not WAL (is it on a network or read-only file system?). Concurrent access will be slower.")]
    private static partial void LogJournalModeNotWal(ILogger logger, string name, string databasePath, string journalMode);

    [LoggerMessage(3, LogLevel.Error, "SQLite grain storage '{Name}' could not open or create database {DatabasePath}.")]
    private static partial void LogInitializationFailed(ILogger logger, Exception exception, string name, string databasePath);

    [LoggerMessage(7, LogLevel.Error, "SQLite grain storage '{Name}' refused database {DatabasePath}: {Reason}")]
    private static partial void LogFormatRefused(ILogger logger, string name, string databasePath, string reason);

    [LoggerMessage(4, LogLevel.Warning, "SQLite grain storage '{Name}' failed to {Operation} state '{StateName}' of grain {GrainId}.")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception, string name, string operation, string stateName, GrainId grainId);

    [LoggerMessage(5, LogLevel.Debug, "SQLite grain storage '{Name}' refused to {Operation} state '{StateName}' of grain {GrainId}: stored ETag {StoredETag}, supplied {SuppliedETag}.")]
    private static partial void LogConflict(ILogger logger, string name, string operation, string stateName, GrainId grainId, string? storedETag, string? suppliedETag);
}
