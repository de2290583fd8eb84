using OrleansCompute.Runtime;

namespace OrleansCompute.Storage;

/// <summary>
/// A grain storage provider failed for a reason other than an ETag conflict (those are
/// <see cref="InconsistentStateException"/>): the backend was unreachable or busy, the state could not be
/// serialized, the stored bytes could not be read back, and so on. The message names the provider,
/// the operation, the state name and the grain; the cause is the inner exception.
/// </summary>
public sealed class GrainStorageException : Exception
{
    public GrainStorageException(string message) : base(message)
    {
    }

    public GrainStorageException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <param name="provider">Which provider failed, e.g. <c>SqliteGrainStorage 'Default'</c>.</param>
    /// <param name="operation">What it was doing: <c>read</c>, <c>write</c> or <c>clear</c>.</param>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain whose state it was.</param>
    /// <param name="innerException">The cause.</param>
    public GrainStorageException(string provider, string operation, string stateName, GrainId grainId, Exception innerException)
        : base($"{provider} could not {operation} state '{stateName}' of grain '{grainId}': {innerException?.Message}", innerException)
    {
        Provider = provider;
        StateName = stateName;
        GrainId = grainId;
    }

    /// <summary>The provider that failed, when known.</summary>
    public string? Provider { get; }

    /// <summary>The state name, when known.</summary>
    public string? StateName { get; }

    /// <summary>The grain, when known (<c>default</c> otherwise).</summary>
    public GrainId GrainId { get; }
}
