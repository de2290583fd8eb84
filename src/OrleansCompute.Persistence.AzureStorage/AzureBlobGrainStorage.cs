using System.Net;
using Microsoft.Extensions.Logging;
using OrleansCompute.Blobs;
using OrleansCompute.Runtime;

namespace OrleansCompute.Storage;

/// <summary>
/// <see cref="IGrainStorage"/> in Azure Blob Storage: one block blob per (state name, grain), named by
/// <see cref="BlobNames.ForState"/>, holding the bytes of the configured <see cref="IGrainStorageSerializer"/>.
/// The blob's own ETag is the grain state's ETag, and every change is conditional on it:
/// <list type="bullet">
/// <item>first write (null ETag): <c>If-None-Match: *</c> — refused (409/412) when a blob exists;</item>
/// <item>later writes: <c>If-Match: {etag}</c> — refused (412, or 404 when the blob is gone);</item>
/// <item>clear with an ETag: <c>DELETE</c> with <c>If-Match</c>; clear with a null ETag succeeds only when no blob exists.</item>
/// </list>
/// A refusal throws <see cref="InconsistentStateException"/>; other failures (after the client's bounded retries of
/// transient errors, or at once for authorization errors) throw <see cref="GrainStorageException"/> naming the
/// provider, the account, the operation, the state and the grain. The container is created on first use.
/// </summary>
public sealed partial class AzureBlobGrainStorage : IGrainStorage, IDisposable
{
    private readonly BlobRestClient _client;
    private readonly IGrainStorageSerializer _serializer;
    private readonly string _serviceId;
    private readonly string _container;
    private readonly string _description;
    private readonly ILogger<AzureBlobGrainStorage>? _logger;
    private readonly SemaphoreSlim _containerGate = new(1, 1);
    private volatile bool _containerReady;

    /// <param name="name">The provider name (used in messages).</param>
    /// <param name="options">Connection string, container and retry settings.</param>
    /// <param name="serviceId">The service id that prefixes every blob name (<c>SiloOptions.ServiceId</c>).</param>
    /// <param name="serializer">Turns state into the stored bytes and back.</param>
    /// <param name="logger">Failures and conflicts are logged here (never the connection string).</param>
    public AzureBlobGrainStorage(string name, AzureBlobGrainStorageOptions options, string serviceId, IGrainStorageSerializer serializer, ILogger<AzureBlobGrainStorage>? logger = null)
        : this(name, options, serviceId, serializer, logger, handler: null)
    {
    }

    internal AzureBlobGrainStorage(
        string name, AzureBlobGrainStorageOptions options, string serviceId, IGrainStorageSerializer serializer, ILogger<AzureBlobGrainStorage>? logger, HttpMessageHandler? handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        ArgumentNullException.ThrowIfNull(serializer);
        if (AzureBlobGrainStorageOptionsValidation.Check(options, name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        Name = name;
        _serviceId = serviceId;
        _serializer = serializer;
        _logger = logger;
        _container = options.ContainerName;
        _client = new BlobRestClient(BlobConnectionString.Parse(options.ConnectionString), AzureBlobGrainStorageOptionsValidation.ToRetry(options), handler);
        _description = $"{nameof(AzureBlobGrainStorage)} '{name}' (container '{_container}' of {_client.Account})";
    }

    /// <summary>The provider name this instance is registered under.</summary>
    public string Name { get; }

    /// <summary>The container holding the state blobs.</summary>
    public string ContainerName => _container;

    /// <summary>The blob that holds one state record (see <see cref="BlobNames.ForState"/>).</summary>
    public string BlobName(string stateName, GrainId grainId)
    {
        ValidateKey(stateName, grainId);
        return BlobNames.ForState(_serviceId, stateName, grainId.Type, grainId.Key);
    }

    /// <summary>Creates the container if it is missing (also done on first use). Safe to call again.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_containerReady)
        {
            return;
        }

        await _containerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_containerReady)
            {
                await _client.CreateContainerIfNotExistsAsync(_container, cancellationToken).ConfigureAwait(false);
                _containerReady = true;
            }
        }
        finally
        {
            _containerGate.Release();
        }
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var blob = BlobName(stateName, grainId);
        var content = await ExecuteAsync("read", stateName, grainId, () => _client.GetBlobAsync(_container, blob, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            GrainStateDefaults.Reset(grainState);
            return;
        }

        T state;
        try
        {
            state = _serializer.Deserialize<T>(content.Value.Data);
        }
        catch (Exception ex)
        {
            throw new GrainStorageException(_description, "read", stateName, grainId, ex);
        }

        grainState.State = state;
        grainState.ETag = content.Value.ETag;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var blob = BlobName(stateName, grainId);
        cancellationToken.ThrowIfCancellationRequested();

        byte[] data;
        try
        {
            data = _serializer.Serialize(grainState.State);
        }
        catch (Exception ex)
        {
            throw new GrainStorageException(_description, "write", stateName, grainId, ex);
        }

        var expected = grainState.ETag;
        string newETag;
        try
        {
            newETag = await ExecuteAsync("write", stateName, grainId,
                () => _client.PutBlobAsync(_container, blob, data, ifMatch: expected, ifNoneMatchAny: expected is null, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (GrainStorageException ex) when (IsConflict(ex.InnerException, expected is null))
        {
            throw await ConflictAsync("write", stateName, grainId, blob, expected, cancellationToken).ConfigureAwait(false);
        }

        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var blob = BlobName(stateName, grainId);
        var expected = grainState.ETag;
        if (expected is null)
        {
            // Nothing to delete is the only acceptable outcome: a record the caller has not seen must not be removed.
            var stored = await ExecuteAsync("clear", stateName, grainId, () => _client.GetPropertiesAsync(_container, blob, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                throw Conflict("clear", stateName, grainId, stored.Value.ETag, expected);
            }
        }
        else
        {
            bool deleted;
            try
            {
                deleted = await ExecuteAsync("clear", stateName, grainId, () => _client.DeleteBlobAsync(_container, blob, expected, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (GrainStorageException ex) when (IsConflict(ex.InnerException, firstWrite: false))
            {
                throw await ConflictAsync("clear", stateName, grainId, blob, expected, cancellationToken).ConfigureAwait(false);
            }

            if (!deleted)
            {
                throw Conflict("clear", stateName, grainId, null, expected); // the record is already gone
            }
        }

        GrainStateDefaults.Reset(grainState);
    }

    public void Dispose()
    {
        _client.Dispose();
        _containerGate.Dispose();
    }

    // 412: the condition failed; 409 BlobAlreadyExists: If-None-Match * over an existing blob; 404 BlobNotFound on an
    // If-Match write: the record was cleared. A missing container is not a conflict.
    private static bool IsConflict(Exception? error, bool firstWrite) => error is BlobRequestException { Status: { } status } e && (
        status == HttpStatusCode.PreconditionFailed
        || (status == HttpStatusCode.Conflict && (firstWrite || e.ErrorCode is "BlobAlreadyExists"))
        || (status == HttpStatusCode.NotFound && !firstWrite && e.ErrorCode is not "ContainerNotFound"));

    private async Task<InconsistentStateException> ConflictAsync(string operation, string stateName, GrainId grainId, string blob, string? expected, CancellationToken cancellationToken)
    {
        string? stored = null;
        try
        {
            stored = (await _client.GetPropertiesAsync(_container, blob, cancellationToken).ConfigureAwait(false))?.ETag;
        }
        catch (BlobRequestException)
        {
            // Only for the message: the conflict itself is certain.
        }

        return Conflict(operation, stateName, grainId, stored, expected);
    }

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? stored, string? expected)
    {
        if (_logger is not null)
        {
            LogConflict(_logger, Name, operation, stateName, grainId, stored, expected);
        }

        return new InconsistentStateException(
            $"{_description} refused to {operation} state '{stateName}' of grain '{grainId}': the ETag does not match the stored record.",
            stored,
            expected);
    }

    private async Task<TResult> ExecuteAsync<TResult>(string operation, string stateName, GrainId grainId, Func<Task<TResult>> action, CancellationToken cancellationToken)
    {
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            return await action().ConfigureAwait(false);
        }
        catch (BlobRequestException ex)
        {
            if (_logger is not null && !IsConflict(ex, firstWrite: operation == "write"))
            {
                LogOperationFailed(_logger, ex, Name, operation, stateName, grainId, _client.Account.EndpointText);
            }

            throw new GrainStorageException(_description, operation, stateName, grainId, ex);
        }
    }

    private static void ValidateKey(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default value.", nameof(grainId));
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Azure Blob grain storage '{Name}' failed to {Operation} state '{StateName}' of grain {GrainId} (Blob service at {Endpoint}).")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception, string name, string operation, string stateName, GrainId grainId, string endpoint);

    [LoggerMessage(2, LogLevel.Debug, "Azure Blob grain storage '{Name}' refused to {Operation} state '{StateName}' of grain {GrainId}: stored ETag {StoredETag}, supplied {SuppliedETag}.")]
    private static partial void LogConflict(ILogger logger, string name, string operation, string stateName, GrainId grainId, string? storedETag, string? suppliedETag);
}
