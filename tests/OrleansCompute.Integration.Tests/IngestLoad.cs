using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace OrleansCompute.Integration.Tests;

/// <summary>
/// Continuous HTTP ingest into silo processes' co-hosted APIs, with a ledger: producers send batches (one in flight each),
/// re-send a batch with the same sequence until it is acknowledged, and count an event only once acknowledged. Each
/// attempt goes to the next API address; an attempt that fails is classified: <em>retries</em> are what a well-behaved
/// client must expect from a cluster whose members come and go (connection refused or reset, 503 "cluster unavailable",
/// 504, a timeout), <em>errors</em> are anything else (a 500, a 4xx) — a drain or a move must cause none.
/// </summary>
internal sealed class IngestLoad : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly ConcurrentDictionary<string, long> _ledger = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<IReadOnlyList<string>> _apis;
    private readonly string _dataset;
    private readonly string[] _keys;
    private readonly List<Task> _producers = [];
    private long _acknowledged;
    private long _retries;
    private int _next;

    public IngestLoad(string dataset, int keys, Func<IReadOnlyList<string>> apis)
    {
        _dataset = dataset;
        _apis = apis;
        _keys = [.. Enumerable.Range(0, keys).Select(i => string.Create(CultureInfo.InvariantCulture, $"k{i}"))];
    }

    /// <summary>Events acknowledged so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Failed attempts a client retries (connection refused, 503, 504, timeouts).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Failed attempts that are not retries (must stay empty).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public void Start(int producers, int batchSize)
    {
        for (var p = 0; p < producers; p++)
        {
            var producer = $"p{p}-{Guid.NewGuid():N}"[..12];
            var seed = p;
            _producers.Add(Task.Run(() => RunAsync(producer, batchSize, seed)));
        }
    }

    /// <summary>Stops after each producer's batch in flight is acknowledged.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_producers).WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>Per key: ledger vs. the server's count (every key read through the API, each read retried for up to 30 s).</summary>
    public async Task<(long Ledger, long Counted, List<string> Mismatches)> CheckAsync()
    {
        long ledger = 0, counted = 0;
        var mismatches = new List<string>();
        foreach (var key in _keys)
        {
            var want = _ledger.GetValueOrDefault(key);
            ledger += want;
            var got = await CountAsync(key);
            counted += got;
            if (got != want)
            {
                mismatches.Add($"{key}: counted {got}, acknowledged {want}");
            }
        }

        return (ledger, counted, mismatches);
    }

    private async Task<long> CountAsync(string key)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync($"{NextApi()}/api/datasets/{_dataset}/keys/{key}");
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return 0;
                }

                response.EnsureSuccessStatusCode();
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return document.RootElement.GetProperty("events").GetInt64();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private async Task RunAsync(string producer, int batchSize, int seed)
    {
        var random = new Random(seed);
        for (long sequence = 1; !_stop.IsCancellationRequested; sequence++)
        {
            var keys = new string[batchSize];
            var body = new StringBuilder();
            for (var i = 0; i < batchSize; i++)
            {
                keys[i] = _keys[random.Next(_keys.Length)];
                body.Append(CultureInfo.InvariantCulture, $"{{\"key\":\"{keys[i]}\",\"values\":{{\"v\":{random.Next(1, 100)}}}}}\n");
            }

            var text = body.ToString();
            for (var attempt = 1; ; attempt++)
            {
                if (attempt > 600)
                {
                    Errors.Enqueue($"{producer}/{sequence}: not acknowledged after 600 attempts");
                    return;
                }

                var api = NextApi();
                try
                {
                    using var content = new StringContent(text, Encoding.UTF8, "application/x-ndjson");
                    using var response = await _http.PostAsync(
                        string.Create(CultureInfo.InvariantCulture, $"{api}/api/datasets/{_dataset}/events?producer={producer}&sequence={sequence}"), content);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        foreach (var key in keys)
                        {
                            _ledger.AddOrUpdate(key, 1, (_, n) => n + 1);
                        }

                        Interlocked.Add(ref _acknowledged, batchSize);
                        break;
                    }

                    var answer = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                    {
                        Errors.Enqueue($"{producer}/{sequence} at {api}: {(int)response.StatusCode} {answer}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException { InnerException: SocketException or IOException } or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                    or TaskCanceledException)
                {
                    // Connection refused or reset (a node that stopped), or no answer in time: send again.
                }

                Interlocked.Increment(ref _retries);
                await Task.Delay(100);
            }
        }
    }

    private string NextApi()
    {
        var apis = _apis();
        return apis[(int)((uint)Interlocked.Increment(ref _next) % (uint)apis.Count)];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        try
        {
            await Task.WhenAll(_producers).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Disposing after a failed assertion: do not hang.
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
