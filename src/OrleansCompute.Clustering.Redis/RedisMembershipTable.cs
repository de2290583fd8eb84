using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Membership;
using OrleansCompute.Redis;
using OrleansCompute.Runtime;
using StackExchange.Redis;

namespace OrleansCompute.Clustering.Redis;

/// <summary>
/// <see cref="IMembershipTable"/> in Redis: the whole table of one cluster is one hash, so every check-and-write is a
/// single-key Lua script (atomic on the server, valid on Redis Cluster too).
/// </summary>
/// <remarks>
/// <para>Key <c>{serviceId}/{clusterId}/members</c> (ids escaped: '/' → <c>%2F</c>, '%' → <c>%25</c>), fields:</para>
/// <list type="table">
/// <item><term><c>version</c>, <c>version-etag</c></term><description>the table version and its etag (missing: version 0, etag <c>0</c>)</description></item>
/// <item><term><c>row/{silo}</c></term><description>the row as JSON; silo is <c>ip:port@generation</c></description></item>
/// <item><term><c>etag/{silo}</c></term><description>the row etag</description></item>
/// <item><term><c>alive/{silo}</c></term><description>the I-am-alive time (round-trip ISO 8601); overrides the JSON's, so
/// <see cref="UpdateIAmAlive"/> writes only this field and the row etag, never the version</description></item>
/// </list>
/// <para>Etags are new GUIDs made by the writer, so one is never reused, not even after the table was deleted.</para>
/// </remarks>
public sealed partial class RedisMembershipTable : IMembershipTable, IAsyncDisposable
{
    /// <summary>The etag of version 0 of a table that has never been written.</summary>
    public const string InitialVersionEtag = "0";

    private const string VersionField = "version";
    private const string VersionEtagField = "version-etag";
    private const string RowPrefix = "row/";
    private const string EtagPrefix = "etag/";
    private const string AlivePrefix = "alive/";

    // ARGV: expected version etag, new version, new version etag, row field, etag field, alive field, row JSON, row etag, alive.
    private const string InsertScript = """
        local current = redis.call('HGET', KEYS[1], 'version-etag') or '0'
        if current ~= ARGV[1] then return 0 end
        if redis.call('HEXISTS', KEYS[1], ARGV[4]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'version', ARGV[2], 'version-etag', ARGV[3], ARGV[4], ARGV[7], ARGV[5], ARGV[8], ARGV[6], ARGV[9])
        return 1
        """;

    // ARGV as InsertScript, plus 10: the row etag the caller read.
    private const string UpdateScript = """
        local current = redis.call('HGET', KEYS[1], 'version-etag') or '0'
        if current ~= ARGV[1] then return 0 end
        if redis.call('HGET', KEYS[1], ARGV[5]) ~= ARGV[10] then return 0 end
        redis.call('HSET', KEYS[1], 'version', ARGV[2], 'version-etag', ARGV[3], ARGV[4], ARGV[7], ARGV[5], ARGV[8], ARGV[6], ARGV[9])
        return 1
        """;

    // ARGV: etag field, alive field, new row etag, alive. Never creates a row.
    private const string IAmAliveScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[4], ARGV[1], ARGV[3])
        return 1
        """;

    // ARGV: row field, etag field, alive field, the row etag read when the row was judged defunct.
    private const string DeleteRowScript = """
        if redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[4] then return 0 end
        redis.call('HDEL', KEYS[1], ARGV[1], ARGV[2], ARGV[3])
        return 1
        """;

    private const string InitScript = """
        if redis.call('HEXISTS', KEYS[1], 'version') == 0 then
          redis.call('HSET', KEYS[1], 'version', '0', 'version-etag', '0')
        end
        return 1
        """;

    private readonly RedisConnection _connection;
    private readonly string _serviceId;
    private readonly string _clusterId;
    private readonly RedisKey _key;
    private readonly string _description;
    private readonly ILogger<RedisMembershipTable>? _logger;

    public RedisMembershipTable(IOptions<RedisClusteringOptions> options, IOptions<SiloOptions> siloOptions, ILogger<RedisMembershipTable>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(siloOptions);
        var settings = options.Value;
        RedisClusteringOptionsValidation.ThrowIfInvalid(
            RedisClusteringOptionsValidation.Check(nameof(RedisClusteringOptions), settings.ConnectionString, settings.Database, settings.OperationTimeout));
        KeyPrefix = RedisClusteringOptionsValidation.KeyPrefix(siloOptions.Value);
        _serviceId = siloOptions.Value.ServiceId;
        _clusterId = siloOptions.Value.ClusterId;
        _key = TableKey(_clusterId);
        _description = $"{nameof(RedisMembershipTable)} (service '{_serviceId}', cluster '{_clusterId}')";
        _logger = logger;
        _connection = new RedisConnection(settings.ConnectionString!, settings.Database, settings.OperationTimeout, _description, logger);
    }

    /// <summary>The prefix of every key of this cluster: <c>{serviceId}/{clusterId}/</c>.</summary>
    public string KeyPrefix { get; }

    /// <summary>The hash holding this cluster's table: <c>{serviceId}/{clusterId}/members</c>.</summary>
    public string TableKeyName => _key.ToString();

    public async Task InitializeMembershipTable(bool tryInitTableVersion, CancellationToken cancellationToken = default)
    {
        // Also connects, so a silo learns at start-up that Redis is unreachable.
        if (tryInitTableVersion)
        {
            await ExecuteAsync("initialize the table", db => db.ScriptEvaluateAsync(InitScript, [_key]), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ExecuteAsync("connect", db => db.PingAsync(), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var silo = key.ToParsableString();
        var values = await ExecuteAsync(
            "read a row",
            db => db.HashGetAsync(_key, [VersionField, VersionEtagField, RowPrefix + silo, EtagPrefix + silo, AlivePrefix + silo]),
            cancellationToken).ConfigureAwait(false);

        var version = ParseVersion(values[0], values[1]);
        IReadOnlyList<(MembershipEntry, string)> members = values[2].IsNull || values[3].IsNull
            ? []
            : [(ParseEntry(values[2]!, values[4]), values[3]!)];
        return new MembershipTableData(members, version);
    }

    public async Task<MembershipTableData> ReadAll(CancellationToken cancellationToken = default)
    {
        var fields = await ExecuteAsync("read the table", db => db.HashGetAllAsync(_key), cancellationToken).ConfigureAwait(false);

        RedisValue version = RedisValue.Null, versionEtag = RedisValue.Null;
        var rows = new Dictionary<string, (string? Json, string? Etag, RedisValue Alive)>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = (string)field.Name!;
            if (name == VersionField)
            {
                version = field.Value;
            }
            else if (name == VersionEtagField)
            {
                versionEtag = field.Value;
            }
            else if (name.StartsWith(RowPrefix, StringComparison.Ordinal))
            {
                var silo = name[RowPrefix.Length..];
                rows[silo] = rows.GetValueOrDefault(silo) with { Json = field.Value };
            }
            else if (name.StartsWith(EtagPrefix, StringComparison.Ordinal))
            {
                var silo = name[EtagPrefix.Length..];
                rows[silo] = rows.GetValueOrDefault(silo) with { Etag = field.Value };
            }
            else if (name.StartsWith(AlivePrefix, StringComparison.Ordinal))
            {
                var silo = name[AlivePrefix.Length..];
                rows[silo] = rows.GetValueOrDefault(silo) with { Alive = field.Value };
            }
        }

        var members = new List<(MembershipEntry, string)>(rows.Count);
        foreach (var (json, etag, alive) in rows.Values)
        {
            // Fields are written together by one script, so a row lacks its JSON or etag only if edited by hand.
            if (json is not null && etag is not null)
            {
                members.Add((ParseEntry(json, alive), etag));
            }
        }

        return new MembershipTableData(members, ParseVersion(version, versionEtag));
    }

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var result = await ExecuteAsync(
            "insert a row",
            db => db.ScriptEvaluateAsync(InsertScript, [_key], WriteArguments(entry, tableVersion)),
            cancellationToken).ConfigureAwait(false);
        return Succeeded(result, "insert", entry, tableVersion);
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(etag);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var result = await ExecuteAsync(
            "update a row",
            db => db.ScriptEvaluateAsync(UpdateScript, [_key], [.. WriteArguments(entry, tableVersion), etag]),
            cancellationToken).ConfigureAwait(false);
        return Succeeded(result, "update", entry, tableVersion);
    }

    public async Task UpdateIAmAlive(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var silo = entry.SiloAddress.ToParsableString();
        var result = await ExecuteAsync(
            "update I-am-alive",
            db => db.ScriptEvaluateAsync(IAmAliveScript, [_key], [EtagPrefix + silo, AlivePrefix + silo, NewEtag(), FormatTime(entry.IAmAliveTime)]),
            cancellationToken).ConfigureAwait(false);
        if ((long)result == 0 && _logger is not null)
        {
            LogIAmAliveForMissingRow(_logger, _description, entry.SiloAddress);
        }
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate, CancellationToken cancellationToken = default)
    {
        var table = await ReadAll(cancellationToken).ConfigureAwait(false);
        var removed = 0;
        foreach (var (entry, etag) in table.Members)
        {
            if (!MembershipRules.IsDefunct(entry, beforeDate))
            {
                continue;
            }

            // Deleted only if unchanged since it was judged defunct.
            var silo = entry.SiloAddress.ToParsableString();
            var result = await ExecuteAsync(
                "delete a defunct row",
                db => db.ScriptEvaluateAsync(DeleteRowScript, [_key], [RowPrefix + silo, EtagPrefix + silo, AlivePrefix + silo, etag]),
                cancellationToken).ConfigureAwait(false);
            removed += (int)(long)result;
        }

        if (removed > 0 && _logger is not null)
        {
            LogCleanedUp(_logger, _description, removed, beforeDate);
        }
    }

    public async Task DeleteMembershipTableEntries(string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        var key = TableKey(clusterId);
        await ExecuteAsync("delete the table", db => db.KeyDeleteAsync(key), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private RedisKey TableKey(string clusterId) => RedisKeyFormat.Join(_serviceId, clusterId) + "/members";

    private static RedisValue[] WriteArguments(MembershipEntry entry, TableVersion tableVersion)
    {
        var silo = entry.SiloAddress.ToParsableString();
        return
        [
            tableVersion.VersionEtag,
            tableVersion.Version,
            NewEtag(),
            RowPrefix + silo,
            EtagPrefix + silo,
            AlivePrefix + silo,
            MembershipEntryJson.Serialize(entry),
            NewEtag(),
            FormatTime(entry.IAmAliveTime),
        ];
    }

    private bool Succeeded(RedisResult result, string operation, MembershipEntry entry, TableVersion tableVersion)
    {
        var succeeded = (long)result == 1;
        if (!succeeded && _logger is not null)
        {
            LogConflict(_logger, _description, operation, entry.SiloAddress, tableVersion.Version);
        }

        return succeeded;
    }

    private MembershipEntry ParseEntry(string json, RedisValue alive)
    {
        try
        {
            var entry = MembershipEntryJson.Deserialize(json);
            return alive.IsNull ? entry : entry with { IAmAliveTime = ParseTime(alive!) };
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new RedisClusteringException($"{_description}: a row in Redis key '{_key}' at {_connection.Endpoint} is not a valid membership entry: {ex.Message}", ex);
        }
    }

    private static TableVersion ParseVersion(RedisValue version, RedisValue etag)
        => new(version.IsNull ? 0 : (int)version, etag.IsNull ? InitialVersionEtag : (string)etag!);

    private static string NewEtag() => Guid.NewGuid().ToString("N");

    private static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private async Task<T> ExecuteAsync<T>(string what, Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.ExecuteAsync(what, operation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (_logger is not null)
            {
                LogOperationFailed(_logger, ex, _description, what, _connection.Endpoint);
            }

            throw new RedisClusteringException($"{_description} could not {what}: Redis at {_connection.Endpoint} failed: {ex.Message}", ex);
        }
    }

    [LoggerMessage(10, LogLevel.Warning, "{Table} could not {Operation}: Redis at {Endpoint} failed.")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception, string table, string operation, string endpoint);

    [LoggerMessage(11, LogLevel.Debug, "{Table} refused to {Operation} the row of {Silo} at version {Version}: the version or row etag is stale.")]
    private static partial void LogConflict(ILogger logger, string table, string operation, SiloAddress silo, int version);

    [LoggerMessage(12, LogLevel.Warning, "{Table}: I-am-alive of {Silo} ignored, the silo has no row (removed as defunct, or the table was deleted).")]
    private static partial void LogIAmAliveForMissingRow(ILogger logger, string table, SiloAddress silo);

    [LoggerMessage(13, LogLevel.Information, "{Table} removed {Count} defunct rows (not active, I-am-alive before {Cutoff}).")]
    private static partial void LogCleanedUp(ILogger logger, string table, int count, DateTimeOffset cutoff);
}
