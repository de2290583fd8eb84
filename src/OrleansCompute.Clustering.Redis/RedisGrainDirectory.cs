using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.GrainDirectory;
using OrleansCompute.Redis;
using OrleansCompute.Runtime;
using StackExchange.Redis;

namespace OrleansCompute.Clustering.Redis;

/// <summary>
/// <see cref="IGrainDirectory"/> in Redis: one hash per grain, written only by single-key Lua compare-and-set scripts,
/// so at most one activation address is stored per grain whatever the concurrency.
/// </summary>
/// <remarks>
/// <para>Keys (ids escaped: '/' → <c>%2F</c>, '%' → <c>%25</c>):</para>
/// <list type="table">
/// <item><term><c>{serviceId}/{clusterId}/dir/{grainType}/{grainKey}</c></term><description>hash <c>silo</c>
/// (<c>ip:port@generation</c>), <c>activation</c> (32 hex digits)</description></item>
/// <item><term><c>{serviceId}/{clusterId}/silo/{silo}</c></term><description>set of the registrations made from that
/// silo incarnation, for <see cref="UnregisterSilos"/></description></item>
/// </list>
/// <para>Set members are <c>{activation}{grain key}</c> (the 32-hex-digit activation id, then the grain's key), so each
/// registration has its own member and removing one can never remove another activation's. The member is added
/// <em>before</em> the register script runs (same connection, so in that order) and removed after an unregister or a lost
/// registration: the set is always a superset of what the silo holds (a crash in between leaves an extra member, never a
/// missing one). <see cref="UnregisterSilos"/> deletes each listed grain only if it still points at that silo, so extra
/// members are harmless, then deletes the set. Its cost is O(grains registered from those silos): one SMEMBERS per silo
/// and one pipelined conditional delete per member; there is no SCAN over the key space.</para>
/// </remarks>
public sealed partial class RedisGrainDirectory : IGrainDirectory, IAsyncDisposable
{
    // ARGV: silo, activation, '1' if a previous address is given, previous silo, previous activation.
    // Returns the stored address after the call as {silo, activation}.
    private const string RegisterScript = """
        local current = redis.call('HMGET', KEYS[1], 'silo', 'activation')
        if current[1] then
          if ARGV[3] ~= '1' or current[1] ~= ARGV[4] or current[2] ~= ARGV[5] then return current end
        end
        redis.call('HSET', KEYS[1], 'silo', ARGV[1], 'activation', ARGV[2])
        return { ARGV[1], ARGV[2] }
        """;

    // ARGV: silo, activation.
    private const string UnregisterScript = """
        local current = redis.call('HMGET', KEYS[1], 'silo', 'activation')
        if current[1] == ARGV[1] and current[2] == ARGV[2] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """;

    // ARGV: silo.
    private const string UnregisterSiloScript = """
        if redis.call('HGET', KEYS[1], 'silo') == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """;

    // Length of an activation id formatted "N": the prefix of every silo set member.
    private const int ActivationLength = 32;

    private readonly RedisConnection _connection;
    private readonly string _description;
    private readonly ILogger<RedisGrainDirectory>? _logger;

    public RedisGrainDirectory(IOptions<RedisGrainDirectoryOptions> options, IOptions<SiloOptions> siloOptions, ILogger<RedisGrainDirectory>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(siloOptions);
        var settings = options.Value;
        RedisClusteringOptionsValidation.ThrowIfInvalid(
            RedisClusteringOptionsValidation.Check(nameof(RedisGrainDirectoryOptions), settings.ConnectionString, settings.Database, settings.OperationTimeout));
        KeyPrefix = RedisClusteringOptionsValidation.KeyPrefix(siloOptions.Value);
        _description = $"{nameof(RedisGrainDirectory)} (service '{siloOptions.Value.ServiceId}', cluster '{siloOptions.Value.ClusterId}')";
        _logger = logger;
        _connection = new RedisConnection(settings.ConnectionString!, settings.Database, settings.OperationTimeout, _description, logger);
    }

    /// <summary>The prefix of every key of this cluster: <c>{serviceId}/{clusterId}/</c>.</summary>
    public string KeyPrefix { get; }

    /// <summary>The key of <paramref name="grainId"/>'s entry: <c>{serviceId}/{clusterId}/dir/{grainType}/{grainKey}</c>.</summary>
    public string GrainKey(GrainId grainId)
    {
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default value.", nameof(grainId));
        }

        return KeyPrefix + "dir/" + RedisKeyFormat.Join(grainId.Type, grainId.Key);
    }

    /// <summary>The key of the set of grains registered from <paramref name="silo"/>: <c>{serviceId}/{clusterId}/silo/{silo}</c>.</summary>
    public string SiloKey(SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return KeyPrefix + "silo/" + RedisKeyFormat.Join(silo.ToParsableString());
    }

    public Task<GrainAddress> Register(GrainAddress address, CancellationToken cancellationToken = default)
        => Register(address, previousAddress: null, cancellationToken);

    public async Task<GrainAddress> Register(GrainAddress address, GrainAddress? previousAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var grainKey = GrainKey(address.GrainId);
        var siloKey = SiloKey(address.SiloAddress);
        var silo = address.SiloAddress.ToParsableString();
        var activation = FormatActivation(address.ActivationId);
        var member = activation + grainKey;
        RedisValue[] arguments = previousAddress is null
            ? [silo, activation, "0", "", ""]
            : [silo, activation, "1", previousAddress.SiloAddress.ToParsableString(), FormatActivation(previousAddress.ActivationId)];

        var stored = await ExecuteAsync(
            "register a grain",
            async db =>
            {
                // Both are sent before either is awaited, so they run in this order on the connection.
                var indexed = db.SetAddAsync(siloKey, member);
                var registered = db.ScriptEvaluateAsync(RegisterScript, [grainKey], arguments);
                await indexed.ConfigureAwait(false);
                return (RedisValue[])(await registered.ConfigureAwait(false))!;
            },
            cancellationToken).ConfigureAwait(false);

        var winner = ParseAddress(address.GrainId, stored[0], stored[1]);
        if (winner != address)
        {
            // Lost the race: this registration does not exist, so its member leaves the silo's set.
            await ExecuteAsync("tidy the silo index", db => db.SetRemoveAsync(siloKey, member), cancellationToken).ConfigureAwait(false);
        }

        return winner;
    }

    public async Task Unregister(GrainAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var grainKey = GrainKey(address.GrainId);
        var siloKey = SiloKey(address.SiloAddress);
        var activation = FormatActivation(address.ActivationId);
        await ExecuteAsync(
            "unregister a grain",
            async db =>
            {
                var removed = (long)await db.ScriptEvaluateAsync(
                    UnregisterScript, [grainKey], [address.SiloAddress.ToParsableString(), activation]).ConfigureAwait(false);

                // The member names this activation only; once its registration is gone (now or before) it can go too.
                await db.SetRemoveAsync(siloKey, activation + grainKey).ConfigureAwait(false);
                return removed;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<GrainAddress?> Lookup(GrainId grainId, CancellationToken cancellationToken = default)
    {
        var grainKey = GrainKey(grainId);
        var values = await ExecuteAsync("look up a grain", db => db.HashGetAsync(grainKey, ["silo", "activation"]), cancellationToken).ConfigureAwait(false);
        return values[0].IsNull || values[1].IsNull ? null : ParseAddress(grainId, values[0], values[1]);
    }

    public async Task UnregisterSilos(IReadOnlyList<SiloAddress> siloAddresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(siloAddresses);
        foreach (var silo in siloAddresses)
        {
            var siloKey = SiloKey(silo);
            var siloText = silo.ToParsableString();
            var members = await ExecuteAsync("list a silo's grains", db => db.SetMembersAsync(siloKey), cancellationToken).ConfigureAwait(false);
            var removed = await ExecuteAsync(
                "unregister a silo's grains",
                async db =>
                {
                    // Pipelined: all conditional deletes are sent before any answer is awaited.
                    var deletes = new Task<RedisResult>[members.Length];
                    for (var i = 0; i < members.Length; i++)
                    {
                        var grainKey = ((string)members[i]!)[ActivationLength..];
                        deletes[i] = db.ScriptEvaluateAsync(UnregisterSiloScript, [grainKey], [siloText]);
                    }

                    var count = 0L;
                    foreach (var result in await Task.WhenAll(deletes).ConfigureAwait(false))
                    {
                        count += (long)result;
                    }

                    await db.KeyDeleteAsync(siloKey).ConfigureAwait(false);
                    return count;
                },
                cancellationToken).ConfigureAwait(false);

            if (_logger is not null)
            {
                LogSiloUnregistered(_logger, _description, silo, removed);
            }
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static string FormatActivation(Guid activationId) => activationId.ToString("N", CultureInfo.InvariantCulture);

    private GrainAddress ParseAddress(GrainId grainId, RedisValue silo, RedisValue activation)
    {
        try
        {
            return new GrainAddress(grainId, SiloAddress.FromParsableString(silo!), Guid.ParseExact((string)activation!, "N"));
        }
        catch (FormatException ex)
        {
            throw new RedisClusteringException($"{_description}: the entry of grain '{grainId}' at {_connection.Endpoint} is not a valid address: {ex.Message}", ex);
        }
    }

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

    [LoggerMessage(20, LogLevel.Warning, "{Directory} could not {Operation}: Redis at {Endpoint} failed.")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception, string directory, string operation, string endpoint);

    [LoggerMessage(21, LogLevel.Information, "{Directory} unregistered {Count} grains of silo {Silo}.")]
    private static partial void LogSiloUnregistered(ILogger logger, string directory, SiloAddress silo, long count);
}
