using Orleans;
using Orleans.Storage;

namespace OrleansCompute.Storage;

/// <summary>Settings of one <see cref="SqliteGrainStorage"/> provider (named options: the provider name is the options name).</summary>
public sealed class SqliteGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The default <see cref="TableName"/>: <c>grain_state</c>.</summary>
    public const string DefaultTableName = "grain_state";

    /// <summary>The default <see cref="BusyTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The database file. <b>Required</b>, no default. A relative path is resolved against the current
    /// directory when the provider is created. Missing folders and the file itself are created on first use.
    /// Must be on a local file system (SQLite's locking and WAL mode do not work over network shares).
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// The table holding grain state. Default <c>grain_state</c>. Letters, digits and underscores only,
    /// not starting with a digit, at most 128 characters. Several providers may share one file with different tables.
    /// </summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>
    /// How long an operation waits for another connection or process to release its lock before failing.
    /// Default 5 seconds. Must be positive.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;

    /// <summary>
    /// Durability of each commit. Default <see cref="SqliteSynchronousMode.Normal"/>: survives process crashes;
    /// choose <see cref="SqliteSynchronousMode.Full"/> to also survive power loss and OS crashes.
    /// </summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Normal;

    /// <summary>
    /// Turns grain state into the stored bytes and back. When left null, a provider registered with
    /// <c>AddSqliteGrainStorage</c> uses the <see cref="IGrainStorageSerializer"/> registered under its provider name,
    /// otherwise the silo's default one (Orleans's <see cref="JsonGrainStorageSerializer"/>, Newtonsoft.Json), exactly
    /// like Orleans's own storage providers. Required when the provider is constructed directly.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>
    /// The silo lifecycle stage at which the database is opened (and created or checked). Default
    /// <see cref="ServiceLifecycleStage.ApplicationServices"/>, as for Orleans's own storage providers.
    /// </summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;
}
