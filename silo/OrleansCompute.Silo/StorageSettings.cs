namespace OrleansCompute.Silo;

/// <summary>Where the embedded silo keeps grain state. Bound from <c>OrleansCompute:Storage</c>.</summary>
public sealed class StorageSettings
{
    /// <summary><c>sqlite</c> (default; durable, one silo per database file), <c>redis</c> (shared by a cluster) or
    /// <c>memory</c> (lost on exit).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Folder for the SQLite database (<c>grain-state.db</c>). Default <c>.data</c> under the working directory.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Redis endpoint when <see cref="Provider"/> is <c>redis</c>; defaults to the clustering connection string.</summary>
    public string? ConnectionString { get; set; }

    public static readonly string[] Providers = ["sqlite", "memory", "redis"];
}
