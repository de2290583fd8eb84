namespace OrleansCompute.Storage;

/// <summary>
/// Settings of one <see cref="RedisGrainStorage"/> provider (named options: the provider name is the options name).
/// The service id that prefixes its keys comes from <c>SiloOptions</c> (<c>OrleansCompute:Silo:ServiceId</c>).
/// Validated at start-up.
/// </summary>
public sealed class RedisGrainStorageOptions
{
    /// <summary>The default <see cref="OperationTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or <c>redis.internal:6379,password=…</c>.
    /// <b>Required</b>, no default. <c>abortConnect</c> is always forced to false (the provider keeps reconnecting).
    /// For durable state run Redis with append-only persistence (<c>appendonly yes</c>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Redis database number. Default -1: the server's default database (0).</summary>
    public int Database { get; set; } = -1;

    /// <summary>
    /// The longest one read, write or clear may take, connecting included, before it fails with
    /// <see cref="GrainStorageException"/>. Default 5 seconds; must be positive.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = DefaultOperationTimeout;
}
