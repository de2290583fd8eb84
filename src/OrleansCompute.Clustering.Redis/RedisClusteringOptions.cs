namespace OrleansCompute.Clustering.Redis;

/// <summary>
/// Settings of <see cref="RedisMembershipTable"/>. The service id and cluster id that prefix its keys come from
/// <c>SiloOptions</c> (<c>OrleansCompute:Silo</c>). Validated at start-up.
/// </summary>
public sealed class RedisClusteringOptions
{
    /// <summary>The default <see cref="OperationTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or <c>redis.internal:6379,password=…</c>.
    /// <b>Required</b>, no default. <c>abortConnect</c> is always forced to false (the provider keeps reconnecting).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Redis database number. Default -1: the server's default database (0).</summary>
    public int Database { get; set; } = -1;

    /// <summary>
    /// The longest one table operation may take, connecting included, before it fails with
    /// <see cref="RedisClusteringException"/>. Default 5 seconds; must be positive.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = DefaultOperationTimeout;
}
