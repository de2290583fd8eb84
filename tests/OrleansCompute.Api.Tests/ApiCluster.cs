using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using OrleansCompute.Api.Telemetry;
using OrleansCompute.ApiHost;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Hosting;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// Two Orleans silos, each a <see cref="WebApplication"/> (in a TestServer) that co-hosts the API as the silo executable
/// does: <c>UseOrleans</c> with <see cref="OrleansComputeSiloBuilderExtensions.AddOrleansCompute"/> (a temp data root,
/// the test's slow job kind), Orleans's memory grain storage (nothing is killed here), and localhost clustering over
/// real loopback TCP (free silo and gateway ports; the second silo joins through the first). <see cref="Http"/> is the
/// first silo's API. <see cref="StartApiAsync"/> starts more API instances with other settings (API keys, rate
/// limits) in the standalone shape: an Orleans cluster client over both gateways, wired by the API host's own
/// <see cref="ClientConfiguration"/> and <see cref="ClusterConnection"/>.
/// </summary>
public sealed class ApiCluster : IAsyncLifetime
{
    public const long BodyLimit = 256 * 1024;
    public const string Key = "test-key-0123456789abcdef";
    private readonly List<WebApplication> _silos = [];
    private readonly List<WebApplication> _apps = [];
    private int[] _gatewayPorts = [];

    public string ClusterId { get; } = "api-tests-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The silos' addresses (<c>ip:port@generation</c>), first silo first.</summary>
    public IReadOnlyList<SiloAddress> SiloAddresses => [.. _silos.Select(s => s.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress)];

    /// <summary>The data root (jobs read only here).</summary>
    public string DataRoot { get; } = Directory.CreateTempSubdirectory("ocx-api-root-").FullName;

    /// <summary>A folder outside the data root (targets of escaping symlinks).</summary>
    public string Outside { get; } = Directory.CreateTempSubdirectory("ocx-api-outside-").FullName;

    /// <summary>The first silo's services (its endpoint data source: the routes the co-hosted API maps).</summary>
    public IServiceProvider SiloServices => _silos[0].Services;

    /// <summary>The first silo's grain factory (to set up grain state the API cannot write, or call Orleans directly).</summary>
    public IGrainFactory Grains => _silos[0].Services.GetRequiredService<IGrainFactory>();

    /// <summary>The API co-hosted by the first silo, without keys or rate limits.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ports = LoopbackPorts.Allocate(4);
        _gatewayPorts = [ports[1], ports[3]];
        var primary = new IPEndPoint(IPAddress.Loopback, ports[0]);
        _silos.Add(await StartSiloAsync("api-silo-1", ports[0], ports[1], primary));
        _silos.Add(await StartSiloAsync("api-silo-2", ports[2], ports[3], primary));
        Http = _silos[0].GetTestClient();
        await WaitAsync(async () => (await Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the first silo's API to be ready");
    }

    private async Task<WebApplication> StartSiloAsync(string name, int siloPort, int gatewayPort, IPEndPoint primary)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:MaxRequestBodyBytes"] = BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OrleansCompute:Api:RateLimitPerSecond"] = "0",
        });
        var root = DataRoot;
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, primary, serviceId: "api-tests", clusterId: ClusterId);
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.AddMemoryGrainStorageAsDefault();
            silo.AddOrleansCompute(o =>
            {
                o.DataRoots.Add(root);
                o.Kinds = ComputeJobRegistry.CreateDefault()
                    .Register<string, long, WordCountResult>(SlowCountJob.Kind, static spec => new SlowCountJob(spec));
                o.Jobs = new JobGrainOptions { AggregatorCount = 2, TickInterval = TimeSpan.FromMilliseconds(200) };
                o.SiloMetricsInterval = TimeSpan.FromMilliseconds(300); // the charts' samples: several within a test
            });
        });
        builder.Services.AddOrleansComputeApi(builder.Configuration);
        var app = builder.Build();
        app.MapOrleansComputeApi();
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Starts another API instance (TestServer) with <paramref name="settings"/>: a standalone API (Orleans cluster
    /// client) over both silos' gateways, as <c>client/OrleansCompute.ApiHost</c> wires it; returns once it reached a gateway.
    /// </summary>
    public async Task<HttpClient> StartApiAsync(Dictionary<string, string?> settings) => (await StartApiAppAsync(settings)).GetTestClient();

    /// <summary>
    /// As <see cref="StartApiAsync"/>, returning the application (its <c>GetTestServer()</c> can send requests from a chosen
    /// remote address).
    /// </summary>
    public async Task<WebApplication> StartApiAppAsync(Dictionary<string, string?> settings, bool kestrel = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        if (kestrel)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0"); // real sockets: what Kestrel itself does to a request is part of the test
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:MaxRequestBodyBytes"] = BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OrleansCompute:Silo:ClusterId"] = ClusterId,
            ["OrleansCompute:Silo:ServiceId"] = "api-tests",
            ["OrleansCompute:Client:Gateways:0"] = $"127.0.0.1:{_gatewayPorts[0]}",
            ["OrleansCompute:Client:Gateways:1"] = $"127.0.0.1:{_gatewayPorts[1]}",
        });
        if (kestrel)
        {
            // As the API host maps them: /metrics and our dashboard too (the Orleans Dashboard needs silos that collect for it).
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OrleansCompute:Telemetry:OrleansDashboard"] = "false" });
        }

        builder.Configuration.AddInMemoryCollection(settings);
        Assert.Null(ClientConfiguration.Validate(builder.Configuration));
        ClusterConnection.AddClusterClient(builder, client => ClientConfiguration.Configure(client, builder.Configuration), "the test cluster");
        builder.Services.AddOrleansComputeApi(builder.Configuration);
        if (kestrel)
        {
            builder.Services.AddOrleansComputeTelemetry(builder.Configuration);
        }

        var app = builder.Build();
        app.MapOrleansComputeApi();
        if (kestrel)
        {
            app.MapOrleansComputeTelemetry();
            OrleansCompute.Api.Dashboard.DashboardEndpoints.MapOrleansComputeDashboard(app);
        }
        await app.StartAsync();
        lock (_apps)
        {
            _apps.Add(app);
        }

        // Waits on the connection itself, not on /health/ready: a request would take a token from a rate-limited instance.
        var connection = app.Services.GetRequiredService<IClusterConnectionState>();
        await WaitAsync(() => Task.FromResult(connection.IsConnected), TimeSpan.FromSeconds(60), "the standalone API to reach a gateway");
        return app;
    }

    /// <summary>
    /// As <see cref="StartApiAsync"/> but on Kestrel over loopback TCP (port 0): a client for its address. The caller disposes
    /// the client; the application is stopped with the cluster.
    /// </summary>
    public async Task<(WebApplication App, HttpClient Http)> StartKestrelApiAsync(Dictionary<string, string?> settings)
    {
        var app = await StartApiAppAsync(settings, kestrel: true);
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) });
    }

    public string WriteFile(string relative, string content)
    {
        var path = Path.Combine(DataRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var app in _apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }

            // The joining silo first, then the one that holds the development membership table.
            for (var i = _silos.Count - 1; i >= 0; i--)
            {
                await _silos[i].StopAsync();
                await _silos[i].DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(DataRoot, recursive: true); // the escaping symlink inside is removed, not followed
            Directory.Delete(Outside, recursive: true);
        }
    }

    public static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    public static async Task<JsonElement> ReadJson(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Polls the job until it leaves queued/running (60 s at most).</summary>
    public async Task<JsonElement> WaitForJob(string id, HttpClient? http = null)
    {
        http ??= Http;
        JsonElement status = default;
        await WaitAsync(async () =>
        {
            using var response = await http.GetAsync($"/api/jobs/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            status = await ReadJson(response);
            return status.GetProperty("state").GetString() is not ("queued" or "running");
        }, TimeSpan.FromSeconds(60), $"job {id} to finish");
        return status;
    }

    /// <summary>Checks <paramref name="condition"/> every 100 ms until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/>: media type, status, title and detail.</summary>
    public static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.True(problem.TryGetProperty("status", out var s) && s.GetInt32() == (int)status, body);
        Assert.True(problem.TryGetProperty("title", out var title) && !string.IsNullOrWhiteSpace(title.GetString()), body);
        Assert.True(problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString()), body);
        if (detailContains is not null)
        {
            Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        return problem;
    }

    public static MediaTypeHeaderValue Media(string value) => new(value);
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiCluster>
{
    public const string Name = "api";
}

/// <summary>
/// Tests that listen to process-wide meters (a <c>MeterListener</c> sees every silo in the test process): they run
/// alone, after the parallel collections, so no other test's jobs or ingest land in their counts. Own cluster.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetersCollection : ICollectionFixture<ApiCluster>
{
    public const string Name = "process-meters";
}
