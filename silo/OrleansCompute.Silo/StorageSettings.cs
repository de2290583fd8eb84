namespace OrleansCompute.Silo;

/// <summary>Where the embedded silo keeps grain state. Bound from <c>OrleansCompute:Storage</c>.</summary>
public sealed class StorageSettings
{
    /// <summary><c>sqlite</c> (default; durable, one silo per database file; ours), <c>redis</c> (Orleans's; shared by a cluster),
    /// <c>azureblob</c> (Orleans's Azure Blob Storage provider; shared by a cluster) or <c>memory</c> (Orleans's; lost on exit).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Folder for the SQLite database (<c>grain-state.db</c>). Default <c>.data</c> under the working directory.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Redis endpoint when <see cref="Provider"/> is <c>redis</c> (defaults to the clustering connection string);
    /// an Azure Storage connection string (required) when it is <c>azureblob</c>, e.g. <c>UseDevelopmentStorage=true</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob container of grain state when <see cref="Provider"/> is <c>azureblob</c>. Default <c>grainstate</c>.</summary>
    public string ContainerName { get; set; } = "grainstate";

    public static readonly string[] Providers = ["sqlite", "memory", "redis", "azureblob"];
}
