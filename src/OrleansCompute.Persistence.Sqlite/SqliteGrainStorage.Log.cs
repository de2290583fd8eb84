using System.Data;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansCompute.Storage;

/// <summary>
/// The <see cref="IGrainLogStorage"/> capability of <see cref="SqliteGrainStorage"/>: two more tables in the same
/// file, <c>{TableName}_log</c> (one row per record) and <c>{TableName}_snapshot</c> (one row per log), created with
/// the state table when the database is initialized.
/// </summary>
/// <remarks>
/// <para><b>Group commit.</b> Appends, snapshots and clears go to one writer thread per provider, which takes
/// every operation queued so far and runs them in a single <c>BEGIN IMMEDIATE … COMMIT</c> transaction with
/// prepared statements on one connection. So N grains appending at once cost one commit, not N; each caller's
/// task completes after the commit that holds its own record. An operation refused by the sequence rule
/// (<see cref="InconsistentStateException"/>) does not affect the others in the transaction; any other failure
/// rolls the whole transaction back and fails every operation in it (callers retry). The writer thread exits
/// (closing its connection) after 2 seconds without work and starts again on the next operation.</para>
/// <para>The sequence rule is checked inside the <c>INSERT</c> (the new sequence must be one past the larger of
/// the last record and the snapshot), so it holds across processes sharing the file. Reads run in one read
/// transaction, so a snapshot taken concurrently never shows a gap.</para>
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainLogStorage
{
    private static readonly TimeSpan s_logWriterIdle = TimeSpan.FromSeconds(2);

    private readonly Lock _logQueueLock = new();
    private readonly AutoResetEvent _logSignal = new(false);
    private List<LogOperation> _logQueue = [];
    private bool _logWriterRunning;

    private string LogTable => _tableName + "_log";

    private string SnapshotTable => _tableName + "_snapshot";

    private const string LogKeyMatch = "state_name = $state AND grain_type = $type AND grain_key = $key";

    public async Task<GrainLog> ReadLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        ValidateLogArguments(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // One read transaction: a snapshot written between the two SELECTs must not leave a gap.
                using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: true);
                long snapshotSequence = 0;
                byte[]? snapshot = null;
                var select = CreateCommand(connection, $"SELECT seq, payload FROM {SnapshotTable} WHERE {LogKeyMatch};", stateName, grainId);
                await using (select.ConfigureAwait(false))
                {
                    select.Transaction = transaction;
                    var reader = await select.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            snapshotSequence = reader.GetInt64(0);
                            snapshot = reader.GetFieldValue<byte[]>(1);
                        }
                    }
                }

                var records = new List<GrainLogRecord>();
                var selectRecords = CreateCommand(connection, $"SELECT seq, payload FROM {LogTable} WHERE {LogKeyMatch} AND seq > $after ORDER BY seq;", stateName, grainId);
                await using (selectRecords.ConfigureAwait(false))
                {
                    selectRecords.Transaction = transaction;
                    selectRecords.Parameters.Add("$after", SqliteType.Integer).Value = snapshotSequence;
                    var reader = await selectRecords.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            records.Add(new GrainLogRecord(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
                        }
                    }
                }

                transaction.Commit();
                return snapshot is null && records.Count == 0 && snapshotSequence == 0
                    ? GrainLog.Empty
                    : new GrainLog(snapshotSequence, snapshot is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(snapshot), records);
            }
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure("read log", stateName, grainId, ex);
        }
    }

    public Task AppendLogAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default)
        => EnqueueLogAsync(LogOperationKind.Append, stateName, grainId, sequence, record, cancellationToken);

    public Task WriteLogSnapshotAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken = default)
        => EnqueueLogAsync(LogOperationKind.Snapshot, stateName, grainId, sequence, snapshot, cancellationToken);

    public Task ClearLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
        => EnqueueLogAsync(LogOperationKind.Clear, stateName, grainId, 0, default, cancellationToken);

    private async Task EnqueueLogAsync(LogOperationKind kind, string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ValidateLogArguments(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure(Verb(kind), stateName, grainId, ex);
        }

        var operation = new LogOperation(kind, stateName, grainId, sequence, data);
        var start = false;
        lock (_logQueueLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _logQueue.Add(operation);
            if (!_logWriterRunning)
            {
                _logWriterRunning = true;
                start = true;
            }
        }

        if (start)
        {
            new Thread(RunLogWriter) { IsBackground = true, Name = $"sqlite-log-writer {Name}" }.Start();
        }
        else
        {
            _logSignal.Set();
        }

        await operation.Completion.Task.ConfigureAwait(false);
    }

    private void RunLogWriter()
    {
        SqliteConnection? connection = null;
        LogCommands? commands = null;
        try
        {
            while (true)
            {
                List<LogOperation> batch;
                lock (_logQueueLock)
                {
                    batch = _logQueue;
                    _logQueue = [];
                }

                if (batch.Count == 0)
                {
                    if (_disposed || !_logSignal.WaitOne(s_logWriterIdle))
                    {
                        lock (_logQueueLock)
                        {
                            if (_logQueue.Count == 0)
                            {
                                _logWriterRunning = false;
                                return;
                            }
                        }
                    }

                    continue;
                }

                try
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    if (connection is null)
                    {
                        connection = new SqliteConnection(_connectionString);
                        connection.Open();
                        using (var setup = connection.CreateCommand())
                        {
                            setup.CommandText = _connectionSetupSql;
                            setup.ExecuteNonQuery();
                        }

                        commands = new LogCommands(this, connection);
                    }

                    commands!.RunBatch(batch);
                }
                catch (Exception ex)
                {
                    // The connection may be unusable: drop it; the next batch opens a fresh one.
                    commands?.Dispose();
                    commands = null;
                    connection?.Dispose();
                    connection = null;
                    foreach (var operation in batch)
                    {
                        operation.Completion.TrySetException(ex is ObjectDisposedException
                            ? ex
                            : Failure(Verb(operation.Kind), operation.StateName, operation.GrainId, ex));
                    }
                }
            }
        }
        finally
        {
            commands?.Dispose();
            connection?.Dispose();
        }
    }

    private static string Verb(LogOperationKind kind) => kind switch
    {
        LogOperationKind.Append => "append to log",
        LogOperationKind.Snapshot => "write log snapshot",
        _ => "clear log",
    };

    private static void ValidateLogArguments(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default value.", nameof(grainId));
        }
    }

    private enum LogOperationKind
    {
        Append,
        Snapshot,
        Clear,
    }

    private sealed class LogOperation(LogOperationKind kind, string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> data)
    {
        public LogOperationKind Kind { get; } = kind;

        public string StateName { get; } = stateName;

        public GrainId GrainId { get; } = grainId;

        public string GrainType { get; } = TypeText(grainId);

        public string GrainKey { get; } = KeyText(grainId);

        public long Sequence { get; } = sequence;

        public ReadOnlyMemory<byte> Data { get; } = data;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Refusal { get; set; }
    }

    /// <summary>The writer connection's prepared statements.</summary>
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "SQL text is built from constants and a validated identifier; values are parameters.")]
    private sealed class LogCommands : IDisposable
    {
        private readonly SqliteGrainStorage _owner;
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _begin;
        private readonly SqliteCommand _commit;
        private readonly SqliteCommand _rollback;
        private readonly SqliteCommand _append;
        private readonly SqliteCommand _bounds;
        private readonly SqliteCommand _upsertSnapshot;
        private readonly SqliteCommand _trim;
        private readonly SqliteCommand _clearLog;
        private readonly SqliteCommand _clearSnapshot;

        public LogCommands(SqliteGrainStorage owner, SqliteConnection connection)
        {
            _owner = owner;
            _connection = connection;
            var log = owner.LogTable;
            var snap = owner.SnapshotTable;
            _begin = Plain("BEGIN IMMEDIATE;");
            _commit = Plain("COMMIT;");
            _rollback = Plain("ROLLBACK;");
            _append = Keyed($"""
                INSERT INTO {log} (state_name, grain_type, grain_key, seq, payload)
                SELECT $state, $type, $key, $seq, $payload
                WHERE $seq = 1 + max(
                    coalesce((SELECT max(seq) FROM {log} WHERE {LogKeyMatch}), 0),
                    coalesce((SELECT seq FROM {snap} WHERE {LogKeyMatch}), 0));
                """, "$seq", "$payload");
            _bounds = Keyed($"""
                SELECT coalesce((SELECT seq FROM {snap} WHERE {LogKeyMatch}), 0),
                       coalesce((SELECT max(seq) FROM {log} WHERE {LogKeyMatch}), 0);
                """);
            _upsertSnapshot = Keyed($"""
                INSERT INTO {snap} (state_name, grain_type, grain_key, seq, payload) VALUES ($state, $type, $key, $seq, $payload)
                ON CONFLICT (state_name, grain_type, grain_key) DO UPDATE SET seq = excluded.seq, payload = excluded.payload;
                """, "$seq", "$payload");
            _trim = Keyed($"DELETE FROM {log} WHERE {LogKeyMatch} AND seq <= $seq;", "$seq");
            _clearLog = Keyed($"DELETE FROM {log} WHERE {LogKeyMatch};");
            _clearSnapshot = Keyed($"DELETE FROM {snap} WHERE {LogKeyMatch};");
        }

        public void RunBatch(List<LogOperation> batch)
        {
            _begin.ExecuteNonQuery();
            try
            {
                foreach (var operation in batch)
                {
                    operation.Refusal = Run(operation);
                }

                _commit.ExecuteNonQuery();
            }
            catch
            {
                try
                {
                    _rollback.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // Rolled back already (e.g. by the failure itself).
                }

                throw;
            }

            foreach (var operation in batch)
            {
                if (operation.Refusal is { } refusal)
                {
                    operation.Completion.TrySetException(refusal);
                }
                else
                {
                    operation.Completion.TrySetResult();
                }
            }
        }

        private InconsistentStateException? Run(LogOperation operation)
        {
            switch (operation.Kind)
            {
                case LogOperationKind.Append:
                    Bind(_append, operation);
                    _append.Parameters["$seq"].Value = operation.Sequence;
                    _append.Parameters["$payload"].Value = AsArray(operation.Data);
                    if (_append.ExecuteNonQuery() == 0)
                    {
                        var (snapshot, last) = Bounds(operation);
                        return Refuse(operation, $"record {operation.Sequence} does not follow the last stored sequence {Math.Max(snapshot, last)}");
                    }

                    return null;

                case LogOperationKind.Snapshot:
                {
                    var (snapshot, last) = Bounds(operation);
                    last = Math.Max(snapshot, last);
                    if (operation.Sequence < snapshot || operation.Sequence > last)
                    {
                        return Refuse(operation, $"snapshot sequence {operation.Sequence} is outside the stored range {snapshot}..{last}");
                    }

                    Bind(_upsertSnapshot, operation);
                    _upsertSnapshot.Parameters["$seq"].Value = operation.Sequence;
                    _upsertSnapshot.Parameters["$payload"].Value = AsArray(operation.Data);
                    _upsertSnapshot.ExecuteNonQuery();
                    Bind(_trim, operation);
                    _trim.Parameters["$seq"].Value = operation.Sequence;
                    _trim.ExecuteNonQuery();
                    return null;
                }

                default:
                    Bind(_clearLog, operation);
                    _clearLog.ExecuteNonQuery();
                    Bind(_clearSnapshot, operation);
                    _clearSnapshot.ExecuteNonQuery();
                    return null;
            }
        }

        private (long Snapshot, long Last) Bounds(LogOperation operation)
        {
            Bind(_bounds, operation);
            using var reader = _bounds.ExecuteReader(CommandBehavior.SingleRow);
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        private InconsistentStateException Refuse(LogOperation operation, string detail)
        {
            LogLogRefused(_owner._logger, _owner.Name, Verb(operation.Kind), operation.StateName, operation.GrainId, detail);
            return new InconsistentStateException(
                $"{_owner._description} refused to {Verb(operation.Kind)} '{operation.StateName}' of grain '{operation.GrainId}': {detail}.");
        }

        private static void Bind(SqliteCommand command, LogOperation operation)
        {
            command.Parameters["$state"].Value = operation.StateName;
            command.Parameters["$type"].Value = operation.GrainType;
            command.Parameters["$key"].Value = operation.GrainKey;
        }

        private SqliteCommand Plain(string sql)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = _owner._commandTimeoutSeconds;
            return command;
        }

        private SqliteCommand Keyed(string sql, params string[] extra)
        {
            var command = Plain(sql);
            command.Parameters.Add("$state", SqliteType.Text);
            command.Parameters.Add("$type", SqliteType.Text);
            command.Parameters.Add("$key", SqliteType.Text);
            foreach (var name in extra)
            {
                command.Parameters.Add(name, name == "$payload" ? SqliteType.Blob : SqliteType.Integer);
            }

            command.Prepare();
            return command;
        }

        public void Dispose()
        {
            foreach (var command in new[] { _begin, _commit, _rollback, _append, _bounds, _upsertSnapshot, _trim, _clearLog, _clearSnapshot })
            {
                command.Dispose();
            }
        }
    }

    [LoggerMessage(6, LogLevel.Debug, "SQLite grain storage '{Name}' refused to {Operation} '{StateName}' of grain {GrainId}: {Detail}.")]
    private static partial void LogLogRefused(ILogger logger, string name, string operation, string stateName, GrainId grainId, string detail);
}
