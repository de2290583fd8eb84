using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansCompute.Storage;

/// <summary>
/// <see cref="SqliteGrainStorage"/> failed for a reason other than an ETag or sequence conflict (those are
/// <see cref="InconsistentStateException"/>): the database could not be opened, stayed locked past
/// <see cref="SqliteGrainStorageOptions.BusyTimeout"/>, the state could not be serialized, the stored bytes could not
/// be read back, and so on. The message names the provider, the operation, the state name and the grain; the cause
/// is the inner exception. Serializable by Orleans, so it reaches a grain's caller on another silo or client intact.
/// </summary>
[GenerateSerializer]
[Alias("OrleansCompute.Storage.SqliteGrainStorageException")]
public sealed class SqliteGrainStorageException : OrleansException
{
    public SqliteGrainStorageException()
    {
    }

    public SqliteGrainStorageException(string message) : base(message)
    {
    }

    public SqliteGrainStorageException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <param name="provider">Which provider failed, e.g. <c>SqliteGrainStorage 'Default'</c>.</param>
    /// <param name="operation">What it was doing: <c>read</c>, <c>write</c>, <c>clear</c>, <c>append to log</c>, ….</param>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain whose state it was.</param>
    /// <param name="innerException">The cause.</param>
    public SqliteGrainStorageException(string provider, string operation, string stateName, GrainId grainId, Exception innerException)
        : base($"{provider} could not {operation} state '{stateName}' of grain '{grainId}': {innerException?.Message}", innerException!)
    {
        Provider = provider;
        StateName = stateName;
        GrainId = grainId;
    }

    /// <summary>The provider that failed, when known.</summary>
    [Id(0)]
    public string? Provider { get; private set; }

    /// <summary>The state name, when known.</summary>
    [Id(1)]
    public string? StateName { get; private set; }

    /// <summary>The grain, when known (<c>default</c> otherwise).</summary>
    [Id(2)]
    public GrainId GrainId { get; private set; }
}
