using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// Ingest and per-key counts through the HTTP API the silos co-host: <c>POST /api/datasets/{d}/events?producer=&amp;sequence=</c>
/// with an NDJSON body, <c>GET /api/datasets/{d}/keys/{key}</c>. Each call goes to the next live silo .
/// </summary>
internal sealed class HttpIngest : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };
    private readonly Func<string> _nextApiAddress;

    public HttpIngest(ChaosCluster cluster)
        : this(cluster.NextApiAddress)
    {
    }

    /// <param name="nextApiAddress">the API base address for the next call</param>
    /// <param name="apiKey">sent as <c>X-Api-Key</c> (an API that listens beyond loopback requires one)</param>
    public HttpIngest(Func<string> nextApiAddress, string? apiKey = null)
    {
        _nextApiAddress = nextApiAddress;
        if (apiKey is not null)
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
    }

    public SendBatch Sender(string dataset) => async (producer, sequence, events, cancellationToken) =>
    {
        var body = new StringBuilder();
        foreach (var (key, value) in events)
        {
            body.Append(CultureInfo.InvariantCulture, $"{{\"key\":\"{key}\",\"values\":{{\"v\":{value}}}}}\n");
        }

        var url = string.Create(CultureInfo.InvariantCulture,
            $"{_nextApiAddress()}/api/datasets/{dataset}/events?producer={Uri.EscapeDataString(producer)}&sequence={sequence}");
        using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson");
        using var response = await _http.PostAsync(url, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"ingest answered {(int)response.StatusCode}: {text}");
        }

        var acknowledged = JsonDocument.Parse(text).RootElement.GetProperty("sequence").GetInt64();
        if (acknowledged != sequence)
        {
            throw new InvalidOperationException($"acknowledged sequence {acknowledged}, sent {sequence}");
        }
    };

    /// <summary>The server's event count of <paramref name="key"/> (404 = it never saw the key = 0).</summary>
    public async Task<long> CountAsync(string dataset, string key, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"{_nextApiAddress()}/api/datasets/{dataset}/keys/{Uri.EscapeDataString(key)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"key query answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.GetProperty("events").GetInt64();
    }

    public void Dispose() => _http.Dispose();
}
