namespace OrleansCompute.Grains.Compute.Inputs.Blob;

/// <summary>The blob account job inputs are read from (<c>OrleansCompute:Compute:Blob</c> in the silo).</summary>
public sealed class BlobInputOptions
{
    /// <summary>
    /// An Azure Storage connection string (<c>UseDevelopmentStorage=true</c>, or <c>AccountName=…;AccountKey=…</c> with
    /// <c>EndpointSuffix</c> or <c>BlobEndpoint</c>). Inputs <c>blob:container/prefix</c> and
    /// <c>{blob endpoint}/container/prefix</c> URLs are read from this account.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Bytes fetched past a split's end per request while finishing its last record (doubles while it goes on). Default 64 KiB.</summary>
    public int LookaheadBytes { get; set; } = 64 * 1024;

    /// <summary>Attempts per request for transient failures (500/503/timeouts/refused connections). Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;
}
