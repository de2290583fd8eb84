using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Membership;
using OrleansCompute.TestingHost;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// A 2-silo TestCluster (real loopback TCP between silos and the client) whose silos read inputs under a temp
/// data root and post statistics for the cluster view, plus the API in a TestServer over the cluster client —
/// the standalone-host shape. <see cref="StartApiAsync"/> starts more API instances with other settings
/// (API keys, rate limits) over the same cluster.
/// </summary>
public sealed class ApiCluster : IAsyncLifetime
{
    public const long BodyLimit = 256 * 1024;
    public const string Key = "test-key-0123456789abcdef";
    private readonly List<WebApplication> _apps = [];

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The data root (jobs read only here).</summary>
    public string DataRoot { get; } = Directory.CreateTempSubdirectory("ocx-api-root-").FullName;

    /// <summary>A folder outside the data root (targets of escaping symlinks).</summary>
    public string Outside { get; } = Directory.CreateTempSubdirectory("ocx-api-outside-").FullName;

    /// <summary>The API without keys or rate limits.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = new TestClusterBuilder(2)
            .ConfigureSilos(silo =>
            {
                silo.Services.AddSingleton(new DataRootOptions { Roots = { DataRoot } });
                silo.Services.AddSingleton(ComputeJobRegistry.CreateDefault()
                    .Register<string, long, WordCountResult>(SlowCountJob.Kind, static spec => new SlowCountJob(spec)));
                silo.Services.AddSingleton(new JobGrainOptions { AggregatorCount = 2, TickInterval = TimeSpan.FromMilliseconds(200) });
                silo.Services.AddOrleansComputeSiloStatistics(silo.Configuration);
            })
            .Build();
        Cluster.Options.Configuration["OrleansCompute:Api:StatisticsInterval"] = "00:00:00.200";
        await Cluster.DeployAsync();
        Http = await StartApiAsync(new Dictionary<string, string?> { ["OrleansCompute:Api:RateLimitPerSecond"] = "0" });
    }

    /// <summary>Starts another API instance (TestServer) over the cluster with <paramref name="settings"/>.</summary>
    public async Task<HttpClient> StartApiAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:MaxRequestBodyBytes"] = BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OrleansCompute:Silo:ClusterId"] = Cluster.Options.ClusterId,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(Cluster.Client);
        builder.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        builder.Services.AddSingleton<IMembershipTable>(Cluster.MembershipTable);
        builder.Services.AddOrleansComputeApi(builder.Configuration);
        var app = builder.Build();
        app.MapOrleansComputeApi();
        await app.StartAsync();
        lock (_apps)
        {
            _apps.Add(app);
        }

        return app.GetTestClient();
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
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        Directory.Delete(DataRoot, recursive: true);
        Directory.Delete(Outside, recursive: true);
    }

    public static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    public static async Task<JsonElement> ReadJson(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Polls the job until it leaves queued/running (30 s at most).</summary>
    public async Task<JsonElement> WaitForJob(string id, HttpClient? http = null)
    {
        http ??= Http;
        for (var i = 0; i < 300; i++)
        {
            using var response = await http.GetAsync($"/api/jobs/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var status = await ReadJson(response);
            if (status.GetProperty("state").GetString() is not ("queued" or "running"))
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Job {id} did not finish.");
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
