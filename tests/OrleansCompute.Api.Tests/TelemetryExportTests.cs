using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// Metrics and traces leave the real silo executable: Prometheus scrapes of <c>/metrics</c> (behind the API key, which
/// may come as a Basic password there) during a job, and OTLP pushes to a collector on loopback.
/// </summary>
public sealed class TelemetryExportTests
{
    private const string Key = "telemetry-key-0123456789abcdef";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Metrics_scraped_during_a_job_show_the_job_and_grain_call_series_and_need_the_key()
    {
        var ports = LoopbackPorts.Allocate(3);
        var data = Directory.CreateTempSubdirectory("ocx-metrics-").FullName;
        // ~4 MB in 16 KiB splits: ~250 splits, each persisted, so the job runs for a second or more on any machine.
        var line = string.Join(' ', Enumerable.Range(0, 40).Select(i => "word" + (i % 11))) + "\n";
        File.WriteAllText(Path.Combine(data, "words.txt"), string.Concat(Enumerable.Repeat(line, 4_000_000 / line.Length)));
        await using var silo = StartSilo(ports, data);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(10) };
            await silo.WaitForReadyAsync(http, s_startTimeout);

            // The API-key rule: nothing without the key (a Basic challenge, so browsers and Prometheus know what to send).
            using (var anonymous = await http.GetAsync("/metrics"))
            {
                await ApiCluster.AssertProblem(anonymous, HttpStatusCode.Unauthorized, "needs a key");
                Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
            }

            using (var wrong = await Get(http, "/metrics", basicPassword: "not-the-key-0123456789"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            }

            // A first scrape before the job: no job counted yet (and the exporter's first, slow collection is done).
            using (var before = await Get(http, "/metrics", apiKey: Key))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
                Assert.Equal(0, Sum(Parse(await before.Content.ReadAsStringAsync()), "orleanscompute_jobs_submitted_total"));
            }

            using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/jobs")
            {
                Content = ApiCluster.Json("""{"id":"scraped","kind":"word-count","input":{"path":"words.txt","splitBytes":16384}}"""),
            };
            submit.Headers.Add("X-Api-Key", Key);
            Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(submit)).StatusCode);

            // Scrape while the job runs: a scrape that itself shows the job active with splits done. Scraping first and
            // reading the status after keeps this free of a race with the job's end.
            Dictionary<string, double>? during = null;
            var scrapes = new List<string>();
            await ApiCluster.WaitAsync(async () =>
            {
                using var scrape = await Get(http, "/metrics", apiKey: Key);
                Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
                Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
                var parsed = Parse(await scrape.Content.ReadAsStringAsync());
                scrapes.Add($"active {Sum(parsed, "orleanscompute_jobs_active")}, splits {Sum(parsed, "orleanscompute_jobs_splits_total")}");
                if (Sum(parsed, "orleanscompute_jobs_active") >= 1 && Sum(parsed, "orleanscompute_jobs_splits_total") > 0)
                {
                    during = parsed;
                    return true;
                }

                var status = await Status(http, "scraped");
                Assert.True(status.GetProperty("state").GetString() is "queued" or "running",
                    $"the job ended before a scrape saw it running: {status}; scrapes: {string.Join("; ", scrapes)}");
                return false;
            }, TimeSpan.FromSeconds(60), "a scrape while the job runs");

            var seen = string.Join("\n", during!.Keys.Order());
            Assert.True(Sum(during, "orleanscompute_jobs_splits_total") > 0, seen);
            Assert.True(Sum(during, "orleanscompute_jobs_records_total") > 0, seen);
            Assert.Equal(1, Sum(during, "orleanscompute_jobs_submitted_total", "job_kind=\"word-count\""));
            // Grain calls (Orleans's meter): every split is a call to a partition grain and one merge call per aggregator.
            Assert.True(Sum(during, "orleans_app_requests_latency_milliseconds_count") > 0, seen);
            Assert.True(Sum(during, "orleans_catalog_activations") > 0, seen);
            // ASP.NET Core's and the runtime's.
            Assert.True(Sum(during, "http_server_request_duration_seconds_count") > 0, seen);
            Assert.True(Sum(during, "dotnet_gc_collections_total") >= 0 && during.Keys.Any(k => k.StartsWith("dotnet_process_cpu_time_seconds_total", StringComparison.Ordinal)), seen);

            // After the job: every split counted once, the job finished (the key as a Basic password: how Prometheus sends it).
            var final = await WaitForEnd(http, "scraped");
            Assert.Equal("completed", final.GetProperty("state").GetString());
            Dictionary<string, double> after = [];
            await ApiCluster.WaitAsync(async () =>
            {
                using var scrape = await Get(http, "/metrics", basicPassword: Key);
                Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
                after = Parse(await scrape.Content.ReadAsStringAsync());
                // The job's status reads completed once its end is persisted; the job grain stops counting itself active
                // right after, so wait for both.
                return Sum(after, "orleanscompute_jobs_finished_total", "job_state=\"completed\"") == 1 && Sum(after, "orleanscompute_jobs_active") == 0;
            }, TimeSpan.FromSeconds(10), "the finished job in a scrape");
            Assert.Equal(final.GetProperty("splitsTotal").GetInt32(), Sum(after, "orleanscompute_jobs_splits_total"));
            Assert.Equal(final.GetProperty("recordsRead").GetInt64(), Sum(after, "orleanscompute_jobs_records_total"));
            Assert.Equal(0, Sum(after, "orleanscompute_jobs_active"));
            Assert.Equal(1, Sum(after, "orleanscompute_jobs_duration_seconds_count", "job_kind=\"word-count\""));
            Assert.Equal(final.GetProperty("splitsTotal").GetInt32(), Sum(after, "orleanscompute_jobs_split_duration_seconds_count"));
        }
        finally
        {
            await silo.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Orleans_dashboard_and_its_data_endpoints_follow_the_api_key_rule()
    {
        var ports = LoopbackPorts.Allocate(3);
        var data = Directory.CreateTempSubdirectory("ocx-odash-").FullName;
        await using var silo = StartSilo(ports, data);
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"),
                Timeout = TimeSpan.FromSeconds(10),
            };
            await silo.WaitForReadyAsync(http, s_startTimeout);
            foreach (var path in (string[])["/orleans-dashboard", "/orleans-dashboard/", "/orleans-dashboard/index.min.js", "/orleans-dashboard/ClusterStats",
                         "/orleans-dashboard/DashboardCounters", "/orleans-dashboard/GrainState?grainId=x&grainType=y", "/orleans-dashboard/Trace"])
            {
                using var anonymous = await http.GetAsync(path);
                Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {anonymous.StatusCode}");
                Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
            }

            using (var redirect = await Get(http, "/orleans-dashboard", basicPassword: Key))
            {
                Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
                Assert.EndsWith("/orleans-dashboard/", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
            }

            using (var page = await Get(http, "/orleans-dashboard/", basicPassword: Key))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Contains("<title>Orleans Dashboard</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // The data the page shows: this silo, and the grain types active on it.
            using var stats = await Get(http, "/orleans-dashboard/ClusterStats", apiKey: Key);
            Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
            // The dashboard collects its counters on a timer: the first read after start can come before its first round.
            JsonElement counters = default;
            await ApiCluster.WaitAsync(async () =>
            {
                using var response = await Get(http, "/orleans-dashboard/DashboardCounters", apiKey: Key);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                counters = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                return counters.GetProperty("hosts").GetArrayLength() > 0
                    && counters.GetProperty("simpleGrainStats").EnumerateArray().Any(g => g.GetProperty("grainType").GetString() == "OrleansCompute.Grains.Api.HealthProbeGrain");
            }, TimeSpan.FromSeconds(30), "the silo and its grain types in the dashboard's counters");
            var host = Assert.Single(counters.GetProperty("hosts").EnumerateArray());
            Assert.StartsWith($"127.0.0.1:{ports[1]}@", host.GetProperty("siloAddress").GetString(), StringComparison.Ordinal);
            Assert.Contains(counters.GetProperty("simpleGrainStats").EnumerateArray(),
                g => g.GetProperty("grainType").GetString() == "OrleansCompute.Grains.Api.HealthProbeGrain");

            // The key as a Basic password is for these read-only pages only: the API itself still wants X-Api-Key.
            using var api = await Get(http, "/api/jobs", basicPassword: Key);
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
            Assert.DoesNotContain(api.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        }
        finally
        {
            await silo.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task With_an_otlp_endpoint_metrics_and_the_job_trace_are_pushed_to_the_collector()
    {
        var collector = new OtlpCollector();
        await collector.StartAsync();
        var ports = LoopbackPorts.Allocate(3);
        var data = Directory.CreateTempSubdirectory("ocx-otlp-").FullName;
        File.WriteAllText(Path.Combine(data, "words.txt"), "to be or not to be\n");
        await using var silo = StartSilo(ports, data,
            [$"--OrleansCompute:Telemetry:OtlpEndpoint={collector.Url}", "--OrleansCompute:Telemetry:OtlpProtocol=http/protobuf",
             // The SDK's own settings, read from the host's configuration like its environment variables: push often.
             "--OTEL_METRIC_EXPORT_INTERVAL=500", "--OTEL_BSP_SCHEDULE_DELAY=200"]);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(10) };
            await silo.WaitForReadyAsync(http, s_startTimeout);
            using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = ApiCluster.Json("""{"id":"pushed","kind":"word-count","input":{"path":"words.txt"}}""") };
            submit.Headers.Add("X-Api-Key", Key);
            Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(submit)).StatusCode);
            Assert.Equal("completed", (await WaitForEnd(http, "pushed")).GetProperty("state").GetString());

            // OTLP bodies are protobuf; names, span names and attribute values are in them as UTF-8.
            await ApiCluster.WaitAsync(() => Task.FromResult(collector.Received("/v1/metrics", "orleanscompute.jobs.finished")
                && collector.Received("/v1/metrics", "orleans-app-requests-latency") && collector.Received("/v1/metrics", "http.server.request.duration")),
                TimeSpan.FromSeconds(30), $"metrics at the collector (received: {collector.Describe()})");
            await ApiCluster.WaitAsync(() => Task.FromResult(collector.Received("/v1/traces", "job run") && collector.Received("/v1/traces", "job collect")
                && collector.Received("/v1/traces", "IPartitionGrain/Run")), TimeSpan.FromSeconds(30), $"the job's spans at the collector (received: {collector.Describe()})");
            Assert.True(collector.Received("/v1/traces", "orleanscompute"), "service.name");
            Assert.Equal("application/x-protobuf", collector.ContentType);
        }
        finally
        {
            await silo.DisposeAsync();
            await collector.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static HostProcess StartSilo(int[] ports, string data, string[]? extra = null)
    {
        string[] arguments =
        [
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}",
            $"--OrleansCompute:Api:ApiKeys:0={Key}",
            $"--OrleansCompute:Endpoints:SiloPort={ports[1]}",
            $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}",
            "--OrleansCompute:Storage:Provider=sqlite",
            $"--OrleansCompute:Storage:DataDirectory={Path.Combine(data, ".state")}",
            $"--OrleansCompute:Compute:DataRoots:0={data}",
            .. extra ?? [],
        ];
        return HostProcess.Start("silo", HostProcess.SiloDll, data, arguments);
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string path, string? apiKey = null, string? basicPassword = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        if (basicPassword is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("prometheus:" + basicPassword)));
        }

        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> Status(HttpClient http, string id)
    {
        using var response = await Get(http, $"/api/jobs/{id}", apiKey: Key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ApiCluster.ReadJson(response);
    }

    private static async Task<JsonElement> WaitForEnd(HttpClient http, string id)
    {
        JsonElement status = default;
        await ApiCluster.WaitAsync(async () =>
        {
            status = await Status(http, id);
            return status.GetProperty("state").GetString() is not ("queued" or "running");
        }, TimeSpan.FromSeconds(90), $"job {id} to finish");
        return status;
    }

    /// <summary>Prometheus text format: series (name with labels) → value; comments skipped.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var value = line[(space + 1)..];
            var parts = line[..space];
            // A sample may end with a timestamp: name{labels} value timestamp.
            if (parts.LastIndexOf('}') < parts.LastIndexOf(' ') && parts.Contains(' ', StringComparison.Ordinal))
            {
                value = parts[(parts.LastIndexOf(' ') + 1)..];
                parts = parts[..parts.LastIndexOf(' ')];
            }

            series[parts] = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return series;
    }

    /// <summary>The sum over the series of metric <paramref name="name"/> (every label set, or those holding <paramref name="label"/>).</summary>
    private static double Sum(Dictionary<string, double> series, string name, string? label = null) =>
        series.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && (label is null || s.Key.Contains(label, StringComparison.Ordinal)))
            .Sum(s => s.Value);

    /// <summary>An OTLP/HTTP collector on a free loopback port that keeps every request body by path.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, ConcurrentBag<byte[]>> _bodies = new();
        private WebApplication? _app;

        public string Url { get; private set; } = "";

        public string? ContentType { get; private set; }

        public async Task StartAsync()
        {
            var port = LoopbackPorts.Allocate(1)[0];
            Url = $"http://127.0.0.1:{port}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(Url);
            _app = builder.Build();
            _app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                ContentType = request.ContentType;
                _bodies.GetOrAdd("/v1/" + signal, _ => []).Add(body.ToArray());
                return Results.Ok();
            });
            await _app.StartAsync();
        }

        public bool Received(string path, string text)
        {
            var needle = Encoding.UTF8.GetBytes(text);
            return _bodies.TryGetValue(path, out var bodies) && bodies.Any(b => b.AsSpan().IndexOf(needle) >= 0);
        }

        public string Describe() => string.Join(", ", _bodies.Select(b => $"{b.Key}: {b.Value.Count} request(s)"));

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }
}
