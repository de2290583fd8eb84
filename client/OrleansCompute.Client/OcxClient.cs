using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Client;

/// <summary>
/// Typed client of the OrleansCompute HTTP API. Wraps an <see cref="HttpClient"/> whose
/// <see cref="HttpClient.BaseAddress"/> is the API's root (<c>http://127.0.0.1:5080/</c>); the API key, when
/// given, is sent in <see cref="ApiRoutes.ApiKeyHeader"/> with every request.
/// </summary>
/// <remarks>
/// Errors: an error status becomes <see cref="OcxApiException"/> (status code + parsed problem details);
/// an unreachable API becomes <see cref="OcxConnectionException"/>. Cancellation through the token surfaces
/// as <see cref="OperationCanceledException"/> as usual.
/// </remarks>
public sealed class OcxClient
{
    /// <summary>Media type of the NDJSON ingest body.</summary>
    public const string NdjsonMediaType = "application/x-ndjson";

    private static readonly OcxJsonContext s_json = OcxJsonContext.Default;
    private readonly HttpClient _http;
    private readonly string? _apiKey;

    public OcxClient(HttpClient http, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress (the API's root URL).", nameof(http));
        }

        _http = http;
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
    }

    /// <summary>The API's root URL.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    // ---- jobs

    /// <summary><c>POST /api/jobs</c>: the job's status right after it was accepted (202).</summary>
    public Task<JobStatusView> SubmitJobAsync(JobSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return SendAsync(HttpMethod.Post, ApiRoutes.Jobs, JsonContent.Create(submission, s_json.JobSubmission), s_json.JobStatusView, cancellationToken);
    }

    /// <summary><c>GET /api/jobs/{id}</c>.</summary>
    public Task<JobStatusView> GetJobAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, JobRoute(ApiRoutes.Job, id), null, s_json.JobStatusView, cancellationToken);

    /// <summary><c>GET /api/jobs/{id}/result</c>: only once the job completed (the API answers 409 before).</summary>
    public Task<JobResultView> GetJobResultAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, JobRoute(ApiRoutes.JobResult, id), null, s_json.JobResultView, cancellationToken);

    /// <summary><c>POST /api/jobs/{id}/cancel</c>: the job's status after the cancel request.</summary>
    public Task<JobStatusView> CancelJobAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, JobRoute(ApiRoutes.JobCancel, id), null, s_json.JobStatusView, cancellationToken);

    /// <summary>
    /// <c>DELETE /api/jobs/{id}</c>: deletes a finished job (its status, splits and result). A job that was just cancelled
    /// may still have splits in flight: the API then answers 409 with <c>Retry-After</c>, and this asks again for up to
    /// <paramref name="wait"/> (default one minute). A queued or running job is refused (409: cancel it first); an unknown
    /// id is a 404.
    /// </summary>
    public async Task DeleteJobAsync(string id, TimeSpan? wait = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromMinutes(1));
        while (true)
        {
            using var response = await SendRawAsync(HttpMethod.Delete, JobRoute(ApiRoutes.Job, id), null, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (response.StatusCode == System.Net.HttpStatusCode.Conflict && response.Headers.RetryAfter?.Delta is { } after && DateTime.UtcNow + after < deadline)
            {
                await Task.Delay(after, cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>GET /api/jobs?limit=N</c>: most recently submitted first (the server's default limit when null).</summary>
    public Task<JobListView> ListJobsAsync(int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, limit is { } n ? ApiRoutes.Jobs + "?limit=" + n.ToString(CultureInfo.InvariantCulture) : ApiRoutes.Jobs,
            null, s_json.JobListView, cancellationToken);

    /// <summary>
    /// Polls <c>GET /api/jobs/{id}</c> until the job is completed, failed or cancelled and returns that last
    /// status; <paramref name="onProgress"/> sees every status read (including the last).
    /// </summary>
    public async Task<JobStatusView> WaitForJobAsync(
        string id,
        Action<JobStatusView>? onProgress = null,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(250);
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), "The poll interval must be positive.");
        }

        while (true)
        {
            var status = await GetJobAsync(id, cancellationToken).ConfigureAwait(false);
            onProgress?.Invoke(status);
            if (JobStates.IsTerminal(status.State))
            {
                return status;
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- datasets

    /// <summary>
    /// <c>POST /api/datasets/{dataset}/events?producer=P&amp;sequence=N</c> with a JSON array body. Re-sending the
    /// same (producer, sequence) is safe: the server acknowledges it without counting the events again.
    /// </summary>
    public Task<IngestResultView> IngestAsync(
        string dataset, string producer, long sequence, IEnumerable<EventView> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = events as List<EventView> ?? [.. events];
        var content = JsonContent.Create(list, s_json.ListEventView);
        return SendAsync(HttpMethod.Post, IngestRoute(dataset, producer, sequence), content, s_json.IngestResultView, cancellationToken);
    }

    /// <summary>
    /// Same as the array overload with an NDJSON body (one event object per line) read from
    /// <paramref name="ndjson"/>. The stream is sent as is; a retry needs a stream positioned at the batch start.
    /// </summary>
    public Task<IngestResultView> IngestAsync(
        string dataset, string producer, long sequence, Stream ndjson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ndjson);
        var content = new StreamContent(ndjson);
        content.Headers.ContentType = new MediaTypeHeaderValue(NdjsonMediaType);
        return SendAsync(HttpMethod.Post, IngestRoute(dataset, producer, sequence), content, s_json.IngestResultView, cancellationToken);
    }

    /// <summary><c>GET /api/datasets/{dataset}/keys/{key}</c>.</summary>
    public Task<KeyTotalsView> GetKeyAsync(string dataset, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var path = ApiRoutes.DatasetKey
            .Replace("{dataset}", Escape(dataset, nameof(dataset)), StringComparison.Ordinal)
            .Replace("{key}", Uri.EscapeDataString(key), StringComparison.Ordinal);
        return SendAsync(HttpMethod.Get, path, null, s_json.KeyTotalsView, cancellationToken);
    }

    /// <summary><c>GET /api/datasets/{dataset}/top?k=K&amp;metric=M</c> (metric: <c>events</c> or <c>value:sum|count|min|max|mean</c>).</summary>
    public Task<TopKeysView> GetTopAsync(string dataset, int k = 10, string metric = "events", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(metric);
        var path = ApiRoutes.DatasetTop.Replace("{dataset}", Escape(dataset, nameof(dataset)), StringComparison.Ordinal)
            + "?k=" + k.ToString(CultureInfo.InvariantCulture) + "&metric=" + Uri.EscapeDataString(metric);
        return SendAsync(HttpMethod.Get, path, null, s_json.TopKeysView, cancellationToken);
    }

    /// <summary><c>GET /api/datasets</c>.</summary>
    public Task<DatasetListView> ListDatasetsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ApiRoutes.Datasets, null, s_json.DatasetListView, cancellationToken);

    // ---- cluster and health

    /// <summary><c>GET /api/cluster</c>.</summary>
    public Task<ClusterView> GetClusterAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ApiRoutes.Cluster, null, s_json.ClusterView, cancellationToken);

    /// <summary>
    /// <c>GET /health/ready</c>: true on 2xx, false on 503 (not joined yet, storage not answering). Other
    /// statuses throw <see cref="OcxApiException"/>; an unreachable API throws <see cref="OcxConnectionException"/>.
    /// </summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, ApiRoutes.HealthReady, null, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            return false;
        }

        throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
    }

    // ---- plumbing

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var value = await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
            return value ?? throw new OcxApiException(response.StatusCode, new ApiProblem { Title = "Empty response", Detail = $"{method} {path} answered {(int)response.StatusCode} with an empty body." });
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new OcxConnectionException(_http.BaseAddress, $"the connection broke while reading the answer ({ex.Message})", ex);
        }
        catch (JsonException ex)
        {
            throw new OcxApiException(response.StatusCode, new ApiProblem
            {
                Title = "Unexpected response",
                Detail = $"{method} {path} answered {(int)response.StatusCode} with a body that is not a {typeof(T).Name}: {ex.Message}",
            });
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        // Relative to the base address without its leading slash, so a base such as http://host/ocx/ keeps its path.
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiRoutes.ApiKeyHeader, _apiKey);
        }

        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            throw new OcxConnectionException(_http.BaseAddress, Reason(ex), ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OcxConnectionException(_http.BaseAddress, $"no answer within {_http.Timeout.TotalSeconds:0.#} s", ex);
        }
    }

    private static string Reason(HttpRequestException ex)
    {
        // The innermost message is the useful one ("Connection refused (127.0.0.1:5080)").
        Exception inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return ex.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => $"connection failed ({inner.Message})",
            HttpRequestError.NameResolutionError => $"unknown host ({inner.Message})",
            HttpRequestError.SecureConnectionError => $"TLS failed ({inner.Message})",
            _ => inner.Message,
        };
    }

    internal static async Task<OcxApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = "";
        }

        ApiProblem? problem = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (body.Length > 0 && (mediaType is null || mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                problem = JsonSerializer.Deserialize(body, s_json.ApiProblem);
            }
            catch (JsonException)
            {
                problem = null;
            }
        }

        if (problem is null || (problem.Title is null && problem.Detail is null && problem.Errors is null))
        {
            var text = body.Trim();
            problem = new ApiProblem
            {
                Status = (int)response.StatusCode,
                Title = response.ReasonPhrase ?? response.StatusCode.ToString(),
                Detail = text.Length == 0 ? null : text.Length > 300 ? text[..300] + "…" : text,
            };
        }

        return new OcxApiException(response.StatusCode, problem);
    }

    private static string JobRoute(string template, string id) =>
        template.Replace("{id}", Escape(id, nameof(id)), StringComparison.Ordinal);

    private static string IngestRoute(string dataset, string producer, long sequence)
    {
        ArgumentException.ThrowIfNullOrEmpty(producer);
        return ApiRoutes.DatasetEvents.Replace("{dataset}", Escape(dataset, nameof(dataset)), StringComparison.Ordinal)
            + "?producer=" + Uri.EscapeDataString(producer) + "&sequence=" + sequence.ToString(CultureInfo.InvariantCulture);
    }

    private static string Escape(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        return Uri.EscapeDataString(value);
    }
}
