using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Xml;

namespace OrleansCompute.Blobs;

/// <summary>A blob as listed: its name (within the container), its size and its ETag.</summary>
internal readonly record struct BlobItem(string Name, long Length, string? ETag);

/// <summary>A downloaded blob: its bytes and its ETag (as the service sent it, quotes included).</summary>
internal readonly record struct BlobContent(byte[] Data, string ETag);

/// <summary>
/// A small client for the Azure Blob REST API, enough for grain state, job inputs and uploads: create a container,
/// put / get / delete a block blob with conditions, get properties, list blobs by prefix and read byte ranges.
/// Every request is signed with Shared Key (<see cref="SharedKeySigner"/>) and carries a pinned
/// <c>x-ms-version</c> (<see cref="ServiceVersion"/>). Transient failures are retried per <see cref="BlobRetryOptions"/>;
/// everything else throws <see cref="BlobRequestException"/> with the status and the service's error code. Nothing here
/// logs, and no message contains the key. Thread-safe; one instance owns one <see cref="HttpClient"/>.
/// </summary>
/// <remarks>No dependency on the grain runtime: hosts other than the silo (the CLI) compile these files in too.</remarks>
internal sealed class BlobRestClient : IDisposable
{
    /// <summary>The REST API version every request asks for (supported by Azure and by Azurite 3.x).</summary>
    public const string ServiceVersion = "2021-12-02";

    /// <summary>The largest blob one Put Blob may create (service limit for versions from 2019-12-12).</summary>
    public const long MaxPutBlobBytes = 5000L * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly BlobRetryOptions _retry;
    private readonly Func<DateTimeOffset> _clock;

    public BlobRestClient(BlobAccount account, BlobRetryOptions? retry = null, HttpMessageHandler? handler = null, Func<DateTimeOffset>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        Account = account;
        _retry = retry ?? new BlobRetryOptions();
        if (_retry.Check() is { } problem)
        {
            throw new ArgumentException(problem, nameof(retry));
        }

        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            AllowAutoRedirect = false,
        }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // per attempt, see SendCoreAsync
        };
    }

    /// <summary>The account every request goes to.</summary>
    public BlobAccount Account { get; }

    /// <summary>Blobs asked for per List Blobs page (the service's maximum, 5000, by default; 1–5000).</summary>
    public int ListPageSize { get; init; } = 5000;

    /// <summary>Creates <paramref name="container"/> (private access) unless it exists. True when it was created.</summary>
    public async Task<bool> CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        ValidateContainerName(container);
        using var response = await SendAsync(
            "create container", container, () => new HttpRequestMessage(HttpMethod.Put, Account.GetUri(container, query: "restype=container")),
            static s => s == HttpStatusCode.Conflict, sync: false, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Created;
    }

    /// <summary>
    /// Uploads a block blob in one request and returns its new ETag. <paramref name="ifMatch"/>: only if the stored
    /// ETag is this one; <paramref name="ifNoneMatchAny"/>: only if no blob exists. A refused condition throws
    /// <see cref="BlobRequestException"/> with status 412 (or 409 <c>BlobAlreadyExists</c>, or 404 when the blob is gone).
    /// <paramref name="contentFactory"/> is called once per attempt (so a stream can be reopened for a retry).
    /// </summary>
    public async Task<string> PutBlobAsync(
        string container, string blobName, Func<HttpContent> contentFactory, string? ifMatch = null, bool ifNoneMatchAny = false,
        CancellationToken cancellationToken = default)
    {
        ValidateContainerName(container);
        ValidateBlobName(blobName);
        ArgumentNullException.ThrowIfNull(contentFactory);
        using var response = await SendAsync("put blob", $"{container}/{blobName}", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, Account.GetUri(container, blobName)) { Content = contentFactory() };
            request.Content.Headers.ContentType ??= new MediaTypeHeaderValue("application/octet-stream");
            request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
            AddConditions(request, ifMatch, ifNoneMatchAny);
            return request;
        }, static _ => false, sync: false, cancellationToken).ConfigureAwait(false);
        return ETagOf(response);
    }

    /// <summary>Uploads <paramref name="data"/> as a block blob; see <see cref="PutBlobAsync(string, string, Func{HttpContent}, string?, bool, CancellationToken)"/>.</summary>
    public Task<string> PutBlobAsync(string container, string blobName, ReadOnlyMemory<byte> data, string? ifMatch = null, bool ifNoneMatchAny = false, CancellationToken cancellationToken = default)
        => PutBlobAsync(container, blobName, () => new ReadOnlyMemoryContent(data), ifMatch, ifNoneMatchAny, cancellationToken);

    /// <summary>Downloads a whole blob, or null when it does not exist.</summary>
    public async Task<BlobContent?> GetBlobAsync(string container, string blobName, CancellationToken cancellationToken = default)
    {
        ValidateContainerName(container);
        ValidateBlobName(blobName);
        using var response = await SendAsync("get blob", $"{container}/{blobName}", () => new HttpRequestMessage(HttpMethod.Get, Account.GetUri(container, blobName)),
            static s => s == HttpStatusCode.NotFound, sync: false, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var data = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new BlobContent(data, ETagOf(response));
    }

    /// <summary>The length and ETag of a blob, or null when it does not exist.</summary>
    public async Task<BlobItem?> GetPropertiesAsync(string container, string blobName, CancellationToken cancellationToken = default)
    {
        ValidateContainerName(container);
        ValidateBlobName(blobName);
        using var response = await SendAsync("get blob properties", $"{container}/{blobName}", () => new HttpRequestMessage(HttpMethod.Head, Account.GetUri(container, blobName)),
            static s => s == HttpStatusCode.NotFound, sync: false, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return new BlobItem(blobName, response.Content.Headers.ContentLength ?? 0, ETagOf(response));
    }

    /// <summary>
    /// Deletes a blob. With <paramref name="ifMatch"/>, only if its ETag is that one (else status 412). Returns false
    /// when there was no blob (404), true when it was deleted.
    /// </summary>
    public async Task<bool> DeleteBlobAsync(string container, string blobName, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ValidateContainerName(container);
        ValidateBlobName(blobName);
        using var response = await SendAsync("delete blob", $"{container}/{blobName}", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Delete, Account.GetUri(container, blobName));
            AddConditions(request, ifMatch, ifNoneMatchAny: false);
            return request;
        }, static s => s == HttpStatusCode.NotFound, sync: false, cancellationToken).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>Every blob of <paramref name="container"/> whose name starts with <paramref name="prefix"/>, in name order (all pages).</summary>
    public async Task<IReadOnlyList<BlobItem>> ListBlobsAsync(string container, string? prefix, CancellationToken cancellationToken = default)
    {
        ValidateContainerName(container);
        var items = new List<BlobItem>();
        string? marker = null;
        do
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"restype=container&comp=list&maxresults={Math.Clamp(ListPageSize, 1, 5000)}");
            if (!string.IsNullOrEmpty(prefix))
            {
                query += "&prefix=" + Uri.EscapeDataString(prefix);
            }

            if (!string.IsNullOrEmpty(marker))
            {
                query += "&marker=" + Uri.EscapeDataString(marker);
            }

            var uri = Account.GetUri(container, query: query);
            using var response = await SendAsync("list blobs", $"{container}/{prefix}*", () => new HttpRequestMessage(HttpMethod.Get, uri),
                static _ => false, sync: false, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                marker = ParseListPage(body, items);
            }
        }
        while (!string.IsNullOrEmpty(marker));

        return items;
    }

    /// <summary>
    /// Reads up to <paramref name="buffer"/>.Length bytes of a blob starting at <paramref name="offset"/> with one ranged
    /// GET (<c>x-ms-range</c>), synchronously (for readers that are themselves synchronous). Returns the bytes read; 0 at
    /// or past the end of the blob. A blob that does not exist throws <see cref="BlobRequestException"/> (404).
    /// </summary>
    public int ReadRange(string container, string blobName, long offset, Span<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateContainerName(container);
        ValidateBlobName(blobName);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var last = offset + buffer.Length - 1;
        var task = SendAsync("read blob range", $"{container}/{blobName}", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Account.GetUri(container, blobName));
            request.Headers.TryAddWithoutValidation("x-ms-range", string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-{last}"));
            return request;
        }, static s => s == HttpStatusCode.RequestedRangeNotSatisfiable, sync: true, cancellationToken);
        using var response = task.IsCompleted ? task.Result : task.AsTask().GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return 0; // offset at or past the end
        }

        using var body = response.Content.ReadAsStream(cancellationToken);
        var total = 0;
        while (total < buffer.Length)
        {
            var read = body.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Container names: 3–63 characters, lower-case letters, digits and single hyphens, starting and ending alphanumeric.</summary>
    public static bool IsValidContainerName(string? container)
    {
        if (container is null || container.Length is < 3 or > 63 || container[0] == '-' || container[^1] == '-' || container.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in container)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateContainerName(string container)
    {
        if (!IsValidContainerName(container))
        {
            throw new ArgumentException($"'{container}' is not a valid blob container name (3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).", nameof(container));
        }
    }

    private static void ValidateBlobName(string blobName)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        if (blobName.Length > 1024)
        {
            throw new ArgumentException($"A blob name may have at most 1024 characters (this one has {blobName.Length}).", nameof(blobName));
        }
    }

    private static void AddConditions(HttpRequestMessage request, string? ifMatch, bool ifNoneMatchAny)
    {
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ifNoneMatchAny)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        }
    }

    private static string ETagOf(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("ETag", out var values) ? values.ToString()
        : throw new BlobRequestException($"The Blob service answered {(int)response.StatusCode} without an ETag.", response.StatusCode, null);

    private static string? ParseListPage(Stream body, List<BlobItem> items)
    {
        var document = new XmlDocument { XmlResolver = null };
        using (var reader = XmlReader.Create(body, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
        {
            document.Load(reader);
        }

        foreach (XmlNode blob in document.SelectNodes("/EnumerationResults/Blobs/Blob")!)
        {
            var name = blob.SelectSingleNode("Name")?.InnerText ?? "";
            var length = long.Parse(blob.SelectSingleNode("Properties/Content-Length")?.InnerText ?? "0", CultureInfo.InvariantCulture);
            items.Add(new BlobItem(name, length, blob.SelectSingleNode("Properties/Etag")?.InnerText));
        }

        return document.SelectSingleNode("/EnumerationResults/NextMarker")?.InnerText;
    }

    /// <summary>
    /// Sends a request built fresh per attempt (signed with the current time), retrying transient failures.
    /// Returns a success response, or one whose status <paramref name="accept"/> allows; throws otherwise.
    /// With <paramref name="sync"/> the whole exchange runs synchronously on the calling thread.
    /// </summary>
    private async ValueTask<HttpResponseMessage> SendAsync(
        string operation, string resource, Func<HttpRequestMessage> build, Func<HttpStatusCode, bool> accept, bool sync, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var request = build();
            request.Headers.TryAddWithoutValidation("x-ms-version", ServiceVersion);
            SharedKeySigner.Sign(request, Account, _clock());
            HttpResponseMessage? response = null;
            Exception? failure = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_retry.AttemptTimeout);
                try
                {
                    response = sync
                        ? _http.Send(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                        : await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new TimeoutException($"no answer within {_retry.AttemptTimeout.TotalSeconds:0.#} s", ex);
                }
                catch (HttpRequestException ex)
                {
                    failure = ex;
                }
                finally
                {
                    request.Dispose();
                }
            }

            if (response is not null)
            {
                if (response.IsSuccessStatusCode || accept(response.StatusCode))
                {
                    return response;
                }

                var error = await ReadErrorAsync(response, operation, resource, sync, cancellationToken).ConfigureAwait(false);
                response.Dispose();
                if (!IsTransient(response.StatusCode) || attempt >= _retry.MaxAttempts)
                {
                    throw attempt > 1 && IsTransient(response.StatusCode)
                        ? new BlobRequestException($"{error.Message} (gave up after {attempt} attempts)", error.Status, error.ErrorCode)
                        : error;
                }
            }
            else if (attempt >= _retry.MaxAttempts)
            {
                throw new BlobRequestException(
                    $"Blob service at {Account.EndpointText}: {operation} '{resource}' failed after {attempt} attempt(s): {Describe(failure!)}", null, null, failure);
            }

            var delay = _retry.DelayBefore(attempt);
            if (sync)
            {
                cancellationToken.WaitHandle.WaitOne(delay);
            }
            else
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static string Describe(Exception failure) => failure switch
    {
        HttpRequestException { InnerException: SocketException socket } => $"{socket.SocketErrorCode} ({socket.Message})",
        _ => failure.Message,
    };

    private async ValueTask<BlobRequestException> ReadErrorAsync(HttpResponseMessage response, string operation, string resource, bool sync, CancellationToken cancellationToken)
    {
        var code = response.Headers.NonValidated.TryGetValues("x-ms-error-code", out var values) ? values.ToString() : null;
        string? detail = null;
        try
        {
            var body = sync
                ? new StreamReader(response.Content.ReadAsStream(cancellationToken)).ReadToEnd()
                : await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            detail = ExtractMessage(body);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or XmlException)
        {
            // The status and code say enough.
        }

        code ??= "";
        var status = (int)response.StatusCode;
        var prefix = $"Blob service at {Account.EndpointText}: {operation} '{resource}' failed with {status} {code}".TrimEnd();
        var message = response.StatusCode == HttpStatusCode.Forbidden
            ? $"{prefix}: the request was not authorized for account '{Account.Name}' — check AccountName and AccountKey in the connection string (and the machine's clock).{Suffix(detail)}"
            : prefix + Suffix(detail);
        return new BlobRequestException(message, response.StatusCode, code.Length == 0 ? null : code);
    }

    private static string Suffix(string? detail) => string.IsNullOrWhiteSpace(detail) ? "" : " Service message: " + detail;

    private static string? ExtractMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body) || !body.TrimStart().StartsWith('<'))
        {
            return null;
        }

        var document = new XmlDocument { XmlResolver = null };
        using (var reader = XmlReader.Create(new StringReader(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
        {
            document.Load(reader);
        }

        // The first line only: the rest is a request id and a timestamp.
        var text = document.SelectSingleNode("/Error/Message")?.InnerText;
        return text?.Split('\n')[0].Trim();
    }
}
