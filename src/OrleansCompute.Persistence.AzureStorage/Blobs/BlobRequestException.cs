using System.Net;

namespace OrleansCompute.Blobs;

/// <summary>
/// A Blob service request failed: the server answered with an error status (<see cref="Status"/>, with its
/// <c>x-ms-error-code</c> in <see cref="ErrorCode"/>), or it could not be reached / did not answer within the retry
/// budget (<see cref="Status"/> null). The message names the operation and the resource, never a key.
/// </summary>
internal sealed class BlobRequestException : Exception
{
    public BlobRequestException(string message) : base(message)
    {
    }

    public BlobRequestException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public BlobRequestException(string message, HttpStatusCode? status, string? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status the server answered, or null when no answer came.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>The service's error code (e.g. <c>AuthenticationFailed</c>, <c>ConditionNotMet</c>), when it sent one.</summary>
    public string? ErrorCode { get; }

    /// <summary>Whether the request was refused because of the credentials (403): retrying will not help.</summary>
    public bool IsAuthorizationFailure => Status == HttpStatusCode.Forbidden;
}
