namespace OrleansCompute.Storage;

/// <summary>
/// A write or clear was refused because the stored record's version tag is not the one the grain
/// last saw (someone else wrote it). The stored value is unchanged. Re-read the state and retry,
/// or deactivate so the next activation reads fresh state.
/// </summary>
public sealed class InconsistentStateException : Exception
{
    public InconsistentStateException(string message) : base(message)
    {
    }

    public InconsistentStateException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public InconsistentStateException(string message, string? storedEtag, string? currentEtag)
        : base($"{message} Stored ETag: {storedEtag ?? "(none)"}; ETag supplied: {currentEtag ?? "(none)"}.")
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    /// <summary>The tag of the record in storage, when the provider knows it.</summary>
    public string? StoredEtag { get; }

    /// <summary>The tag the writer supplied.</summary>
    public string? CurrentEtag { get; }
}
