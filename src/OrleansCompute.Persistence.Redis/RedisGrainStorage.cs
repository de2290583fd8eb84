using Microsoft.Extensions.Logging;
using OrleansCompute.Redis;
using OrleansCompute.Runtime;
using StackExchange.Redis;

namespace OrleansCompute.Storage;

/// <summary>
/// <see cref="IGrainStorage"/> in Redis: one hash per (state name, grain) holding the serialized state and its ETag;
/// writes and clears are single-key Lua scripts that compare the ETag and change the record in one atomic step.
/// </summary>
/// <remarks>
/// <para>Key <c>{serviceId}/state/{stateName}/{grainType}/{grainKey}</c> (each part escaped: '/' → <c>%2F</c>,
/// '%' → <c>%25</c>, so no two (state name, grain) pairs share a key); fields <c>data</c> (the bytes of the configured
/// <see cref="IGrainStorageSerializer"/>) and <c>etag</c> (a new GUID on every write, so an ETag is never reused, not
/// even after a clear).</para>
/// <para>Failures other than ETag conflicts (Redis down, no answer within <see cref="RedisGrainStorageOptions.OperationTimeout"/>,
/// unreadable state) throw <see cref="GrainStorageException"/> naming the provider, the endpoint, the state and the grain.
/// A write that timed out may still have been applied; the grain's next write then fails with
/// <see cref="InconsistentStateException"/> and the grain re-reads its state.</para>
/// </remarks>
public sealed partial class RedisGrainStorage : IGrainStorage, IAsyncDisposable
{
    // ARGV: '1' if an ETag is expected (else '0'), the expected ETag, the data, the new ETag.
    // Returns {1} when written, {0, stored ETag or ''} when refused.
    private const string WriteScript = """
        local current = redis.call('HGET', KEYS[1], 'etag')
        if ARGV[1] == '1' then
          if current ~= ARGV[2] then return { 0, current or '' } end
        elseif current then
          return { 0, current }
        end
        redis.call('HSET', KEYS[1], 'data', ARGV[3], 'etag', ARGV[4])
        return { 1 }
        """;

    // ARGV: '1' if an ETag is expected (else '0'), the expected ETag. Same results as WriteScript.
    private const string ClearScript = """
        local current = redis.call('HGET', KEYS[1], 'etag')
        if not current then
          if ARGV[1] == '1' then return { 0, '' } end
          return { 1 }
        end
        if ARGV[1] ~= '1' or current ~= ARGV[2] then return { 0, current } end
        redis.call('DEL', KEYS[1])
        return { 1 }
        """;

    private static readonly RedisValue[] s_readFields = ["data", "etag"];

    private readonly RedisConnection _connection;
    private readonly IGrainStorageSerializer _serializer;
    private readonly string _serviceId;
    private readonly string _description;
    private readonly ILogger<RedisGrainStorage>? _logger;

    /// <param name="name">The provider name (used in messages).</param>
    /// <param name="options">Connection and timeout settings.</param>
    /// <param name="serviceId">The service id that prefixes every key (<c>SiloOptions.ServiceId</c>).</param>
    /// <param name="serializer">Turns state into the stored bytes and back.</param>
    /// <param name="logger">Failures and conflicts are logged here.</param>
    public RedisGrainStorage(string name, RedisGrainStorageOptions options, string serviceId, IGrainStorageSerializer serializer, ILogger<RedisGrainStorage>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        ArgumentNullException.ThrowIfNull(serializer);
        var problem = RedisGrainStorageOptionsValidation.Check(options, name);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        Name = name;
        _serviceId = serviceId;
        _serializer = serializer;
        _logger = logger;
        _connection = new RedisConnection(options.ConnectionString!, options.Database, options.OperationTimeout, $"{nameof(RedisGrainStorage)} '{name}'", logger);
        _description = $"{nameof(RedisGrainStorage)} '{name}' (Redis at {_connection.Endpoint})";
    }

    /// <summary>The provider name this instance is registered under.</summary>
    public string Name { get; }

    /// <summary>The key of one record: <c>{serviceId}/state/{stateName}/{grainType}/{grainKey}</c>, each part escaped.</summary>
    public string RecordKey(string stateName, GrainId grainId)
    {
        ValidateKey(stateName, grainId);
        return RedisKeyFormat.Join(_serviceId, "state", stateName, grainId.Type, grainId.Key);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        RedisKey key = RecordKey(stateName, grainId);
        var values = await ExecuteAsync("read", stateName, grainId, db => db.HashGetAsync(key, s_readFields), cancellationToken).ConfigureAwait(false);
        if (values[0].IsNull || values[1].IsNull)
        {
            GrainStateDefaults.Reset(grainState);
            return;
        }

        T state;
        try
        {
            state = _serializer.Deserialize<T>((byte[])values[0]!);
        }
        catch (Exception ex)
        {
            throw new GrainStorageException(_description, "read", stateName, grainId, ex);
        }

        grainState.State = state;
        grainState.ETag = values[1];
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        RedisKey key = RecordKey(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();

        byte[] data;
        try
        {
            data = _serializer.Serialize(grainState.State);
        }
        catch (Exception ex)
        {
            throw new GrainStorageException(_description, "write", stateName, grainId, ex);
        }

        var expected = grainState.ETag;
        var newETag = Guid.NewGuid().ToString("N");
        RedisValue[] arguments = [expected is null ? "0" : "1", expected ?? "", data, newETag];
        var result = await ExecuteAsync("write", stateName, grainId, db => db.ScriptEvaluateAsync(WriteScript, [key], arguments), cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(result, "write", stateName, grainId, expected);

        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        RedisKey key = RecordKey(stateName, grainId);
        var expected = grainState.ETag;
        RedisValue[] arguments = [expected is null ? "0" : "1", expected ?? ""];
        var result = await ExecuteAsync("clear", stateName, grainId, db => db.ScriptEvaluateAsync(ClearScript, [key], arguments), cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(result, "clear", stateName, grainId, expected);

        GrainStateDefaults.Reset(grainState);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private void ThrowIfRefused(RedisResult result, string operation, string stateName, GrainId grainId, string? expected)
    {
        var outcome = (RedisResult[])result!;
        if ((long)outcome[0] == 1)
        {
            return;
        }

        var stored = (string?)outcome[1];
        stored = string.IsNullOrEmpty(stored) ? null : stored;
        if (_logger is not null)
        {
            LogConflict(_logger, Name, operation, stateName, grainId, stored, expected);
        }

        throw new InconsistentStateException(
            $"{_description} refused to {operation} state '{stateName}' of grain '{grainId}': the ETag does not match the stored record.",
            stored,
            expected);
    }

    private async Task<TResult> ExecuteAsync<TResult>(
        string operation, string stateName, GrainId grainId, Func<IDatabase, Task<TResult>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.ExecuteAsync(operation + " state", action, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (_logger is not null)
            {
                LogOperationFailed(_logger, ex, Name, operation, stateName, grainId, _connection.Endpoint);
            }

            throw new GrainStorageException(_description, operation, stateName, grainId, ex);
        }
    }

    private static void ValidateKey(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default value.", nameof(grainId));
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Redis grain storage '{Name}' failed to {Operation} state '{StateName}' of grain {GrainId} (Redis at {Endpoint}).")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception, string name, string operation, string stateName, GrainId grainId, string endpoint);

    [LoggerMessage(2, LogLevel.Debug, "Redis grain storage '{Name}' refused to {Operation} state '{StateName}' of grain {GrainId}: stored ETag {StoredETag}, supplied {SuppliedETag}.")]
    private static partial void LogConflict(ILogger logger, string name, string operation, string stateName, GrainId grainId, string? storedETag, string? suppliedETag);
}
