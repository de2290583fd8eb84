namespace OrleansCompute.Client;

/// <summary>The API could not be reached (connection refused, DNS failure, TLS failure or timeout).</summary>
public sealed class OcxConnectionException(Uri? baseAddress, string reason, Exception? innerException)
    : Exception($"cannot connect to {baseAddress?.ToString() ?? "the API"}: {reason}", innerException)
{
    public Uri? BaseAddress { get; } = baseAddress;
}
