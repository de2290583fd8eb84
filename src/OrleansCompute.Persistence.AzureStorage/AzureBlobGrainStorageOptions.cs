namespace OrleansCompute.Storage;

/// <summary>
/// Settings of one <see cref="AzureBlobGrainStorage"/> provider (named options: the provider name is the options name).
/// The service id that prefixes its blob names comes from <c>SiloOptions</c>. Validated at start-up.
/// </summary>
public sealed class AzureBlobGrainStorageOptions
{
    /// <summary>The default container: <c>grainstate</c>.</summary>
    public const string DefaultContainerName = "grainstate";

    /// <summary>
    /// An Azure Storage connection string. <b>Required.</b> <c>UseDevelopmentStorage=true</c> (Azurite on 127.0.0.1:10000),
    /// <c>DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net</c>, or with an explicit
    /// <c>BlobEndpoint=…</c>. Only account-key (SharedKey) authorization is supported.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The container that holds the state blobs; created on first use if missing. Default <c>grainstate</c>.</summary>
    public string ContainerName { get; set; } = DefaultContainerName;

    /// <summary>Attempts per request, the first included, for transient failures (500/503/timeouts/connection errors). Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Delay before the first retry; doubled for each further retry, at most 5 s, ±20 % jitter. Default 200 ms.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest one attempt may take before it counts as failed (and is retried). Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first problem with these options for provider <paramref name="providerName"/> (a message naming the setting), or null.</summary>
    public string? Check(string providerName) => AzureBlobGrainStorageOptionsValidation.Check(this, providerName);
}
