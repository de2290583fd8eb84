using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// The real executables over real HTTP on free loopback ports: the silo co-hosting the API (its Orleans silo and gateway
/// ports free too), and the standalone API host (an Orleans cluster client) with and without a silo to reach.
/// </summary>
public sealed class SiloProcessTests
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Silo_executable_serves_health_ready_and_the_cluster_view_over_http()
    {
        var ports = LoopbackPorts.Allocate(3);
        var data = Directory.CreateTempSubdirectory("ocx-api-silo-").FullName;
        await using var silo = HostProcess.Start("silo", HostProcess.SiloDll, data,
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}",
            $"--OrleansCompute:Endpoints:SiloPort={ports[1]}",
            $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}",
            "--OrleansCompute:Storage:Provider=sqlite",
            $"--OrleansCompute:Storage:DataDirectory={data}");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(10) };
            var body = await silo.WaitForReadyAsync(http, s_startTimeout);
            var health = JsonDocument.Parse(body).RootElement;
            Assert.Equal("ready", health.GetProperty("status").GetString());
            Assert.StartsWith($"127.0.0.1:{ports[1]}@", health.GetProperty("node").GetString(), StringComparison.Ordinal);
            using var problem = await http.GetAsync("/api/jobs/nope");
            Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
            Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);

            var cluster = JsonDocument.Parse(await http.GetStringAsync("/api/cluster")).RootElement;
            var only = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
            Assert.Equal("active", only.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Number, only.GetProperty("cpuUsage").ValueKind);
            Assert.True(only.GetProperty("memoryUsageBytes").GetInt64() > 0, only.ToString());
        }
        finally
        {
            await silo.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Silo_refuses_to_start_when_the_api_listens_beyond_loopback_without_a_key()
    {
        var ports = LoopbackPorts.Allocate(3);
        var data = Directory.CreateTempSubdirectory("ocx-api-silo-").FullName;
        await using var silo = HostProcess.Start("silo", HostProcess.SiloDll, data,
            $"--OrleansCompute:Api:Urls:0=http://0.0.0.0:{ports[0]}", "--OrleansCompute:Storage:Provider=memory",
            $"--OrleansCompute:Endpoints:SiloPort={ports[1]}", $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}");
        try
        {
            Assert.Equal(2, await silo.WaitForExitAsync(s_startTimeout));
            Assert.Contains("OrleansCompute:Api:ApiKeys must hold at least one key", silo.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Api_host_without_a_reachable_gateway_answers_503_problems_and_stops_cleanly_on_sigterm()
    {
        var ports = LoopbackPorts.Allocate(2); // the API, and a gateway port nothing listens on
        await using var host = HostProcess.Start("api host", HostProcess.ApiHostDll, Path.GetTempPath(),
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}", $"--OrleansCompute:Endpoints:GatewayPort={ports[1]}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(10) };
        HttpResponseMessage? ready = null;
        await ApiCluster.WaitAsync(async () =>
        {
            Assert.False(host.HasExited, host.Output);
            try
            {
                ready = await http.GetAsync("/health/ready");
                return true;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, s_startTimeout, "the API host to listen");

        var notReady = await ApiCluster.AssertProblem(ready!, HttpStatusCode.ServiceUnavailable, "not connected to the cluster");
        Assert.Contains(notReady.GetProperty("checks").EnumerateArray(), c => c.GetString()!.StartsWith("client: ", StringComparison.Ordinal));
        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, "/api/jobs/x"),
            new HttpRequestMessage(HttpMethod.Get, "/api/cluster"),
            new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = ApiCluster.Json("""{"kind":"word-count","input":{"path":"a.txt"}}""") },
            new HttpRequestMessage(HttpMethod.Post, "/api/datasets/d/events?producer=p&sequence=1") { Content = ApiCluster.Json("""[{"key":"k"}]""") },
        })
        {
            using var response = await http.SendAsync(request);
            await ApiCluster.AssertProblem(response, HttpStatusCode.ServiceUnavailable, "not connected to the cluster");
            Assert.True(response.Headers.RetryAfter is not null, request.RequestUri!.ToString());
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(0, await host.TerminateAsync(s_startTimeout));
        Assert.DoesNotContain("Unhandled exception", host.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("fail:", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_host_on_a_redis_without_silos_answers_503_on_every_grain_backed_route_and_exits_0_on_sigterm()
    {
        await using var redis = await RedisServer.StartAsync(); // the membership table: empty, no silo ever joined
        var port = LoopbackPorts.Allocate();
        await using var host = HostProcess.Start("api host", HostProcess.ApiHostDll, Path.GetTempPath(),
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{port}", "--OrleansCompute:Clustering:Provider=redis",
            $"--OrleansCompute:Clustering:ConnectionString={redis.ConnectionString}", "--OrleansCompute:Silo:ClusterId=no-silos");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await ApiCluster.WaitAsync(async () =>
        {
            Assert.False(host.HasExited, host.Output);
            try
            {
                using var ready = await http.GetAsync("/health/ready");
                return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, s_startTimeout, "the API host to listen");

        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, "/api/jobs"),
            new HttpRequestMessage(HttpMethod.Get, "/api/jobs?limit=5"),
            new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = ApiCluster.Json("""{"kind":"word-count","input":{"path":"a.txt"}}""") },
            new HttpRequestMessage(HttpMethod.Get, "/api/jobs/x"),
            new HttpRequestMessage(HttpMethod.Get, "/api/jobs/x/result"),
            new HttpRequestMessage(HttpMethod.Post, "/api/jobs/x/cancel"),
            new HttpRequestMessage(HttpMethod.Post, "/api/datasets/d/events?producer=p&sequence=1") { Content = ApiCluster.Json("""[{"key":"k"}]""") },
            new HttpRequestMessage(HttpMethod.Get, "/api/datasets"),
            new HttpRequestMessage(HttpMethod.Get, "/api/datasets/d/keys/k"),
            new HttpRequestMessage(HttpMethod.Get, "/api/datasets/d/top?k=3&metric=events"),
            new HttpRequestMessage(HttpMethod.Get, "/api/cluster"),
        })
        {
            using var response = await http.SendAsync(request);
            var problem = await ApiCluster.AssertProblem(response, HttpStatusCode.ServiceUnavailable, "not connected to the cluster");
            Assert.Equal("Cluster unavailable", problem.GetProperty("title").GetString());
            Assert.True(response.Headers.RetryAfter is not null, request.RequestUri!.ToString());
        }

        Assert.Equal(0, await host.TerminateAsync(s_startTimeout));
        Assert.DoesNotContain("Unhandled exception", host.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("fail:", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_host_exits_0_without_an_error_when_sigterm_arrives_while_it_is_still_starting()
    {
        // SIGTERM as soon as start-up is under way (the Orleans client is being built; Kestrel has not bound yet): the
        // console lifetime cancelled start-up there, and the process died of the unhandled TaskCanceledException (exit 134).
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var ports = LoopbackPorts.Allocate(2); // the API, and a gateway port nothing listens on
            await using var host = HostProcess.Start("api host", HostProcess.ApiHostDll, Path.GetTempPath(),
                $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}", $"--OrleansCompute:Endpoints:GatewayPort={ports[1]}");
            var watch = Stopwatch.StartNew();
            while (!host.HasExited && !host.Output.Contains("Starting Orleans client", StringComparison.Ordinal))
            {
                Assert.True(watch.Elapsed < s_startTimeout, $"the API host did not start its cluster client:\n{host.Output}");
                await Task.Delay(5); // a fine poll: the window before Kestrel has bound is a few hundred milliseconds
            }

            var exitCode = await host.TerminateAsync(s_startTimeout);

            Assert.True(exitCode == 0, $"attempt {attempt}: exit code {exitCode}\n{host.Output}");
            Assert.DoesNotContain("Unhandled exception", host.Output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("fail:", host.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Api_host_reaches_the_silo_gateway_runs_a_job_and_shows_the_cluster()
    {
        var ports = LoopbackPorts.Allocate(4); // silo API, silo port, gateway port, API host
        var data = Directory.CreateTempSubdirectory("ocx-api-host-").FullName;
        File.WriteAllText(Path.Combine(data, "words.txt"), "to be or not to be\n");
        var clusterId = "host-" + Guid.NewGuid().ToString("N")[..6];
        await using var silo = HostProcess.Start("silo", HostProcess.SiloDll, data,
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}",
            $"--OrleansCompute:Endpoints:SiloPort={ports[1]}",
            $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}",
            $"--OrleansCompute:Silo:ClusterId={clusterId}",
            "--OrleansCompute:Storage:Provider=memory",
            $"--OrleansCompute:Compute:DataRoots:0={data}");
        // Started at the same time as the silo: it connects in the background once the gateway answers.
        await using var host = HostProcess.Start("api host", HostProcess.ApiHostDll, Path.GetTempPath(),
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[3]}",
            $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}",
            $"--OrleansCompute:Silo:ClusterId={clusterId}");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[3]}"), Timeout = TimeSpan.FromSeconds(10) };
            var ready = JsonDocument.Parse(await host.WaitForReadyAsync(http, s_startTimeout, silo)).RootElement;
            Assert.Equal("client", ready.GetProperty("node").GetString());

            using var submit = await http.PostAsync("/api/jobs", ApiCluster.Json("""{"id":"host-wc","kind":"word-count","input":{"path":"words.txt"}}"""));
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
            await ApiCluster.WaitAsync(async () =>
                JsonDocument.Parse(await http.GetStringAsync("/api/jobs/host-wc")).RootElement.GetProperty("state").GetString() == "completed",
                TimeSpan.FromSeconds(60), "the job through the API host");
            var result = JsonDocument.Parse(await http.GetStringAsync("/api/jobs/host-wc/result")).RootElement;
            Assert.Equal(6, result.GetProperty("wordCount").GetProperty("totalWords").GetInt64());

            var cluster = JsonDocument.Parse(await http.GetStringAsync("/api/cluster")).RootElement;
            Assert.Equal(clusterId, cluster.GetProperty("clusterId").GetString());
            var only = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
            Assert.StartsWith($"127.0.0.1:{ports[1]}@", only.GetProperty("address").GetString(), StringComparison.Ordinal);
            Assert.True(only.GetProperty("activationsByType").EnumerateObject().Any(), only.ToString());

            // The API host serves the Orleans Dashboard too (its client asks the silos, which collect) and its own /metrics.
            var counters = JsonDocument.Parse(await http.GetStringAsync("/orleans-dashboard/DashboardCounters")).RootElement;
            Assert.StartsWith($"127.0.0.1:{ports[1]}@", Assert.Single(counters.GetProperty("hosts").EnumerateArray()).GetProperty("siloAddress").GetString(), StringComparison.Ordinal);
            Assert.Contains(counters.GetProperty("simpleGrainStats").EnumerateArray(), g => g.GetProperty("grainType").GetString() == "OrleansCompute.Grains.Jobs.JobGrain");
            Assert.Contains("<title>Orleans Dashboard</title>", await http.GetStringAsync("/orleans-dashboard/"), StringComparison.Ordinal);
            Assert.Contains("orleanscompute_jobs_submitted_total{", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);

            Assert.Equal(0, await host.TerminateAsync(s_startTimeout));
        }
        finally
        {
            await host.DisposeAsync();
            await silo.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("--OrleansCompute:Silo:ClusterSecret=old-secret-0123456789", "ClusterSecret is no longer supported")]
    [InlineData("--OrleansCompute:Clustering:Provider=zookeeper", "must be one of none, redis")]
    [InlineData("--OrleansCompute:Clustering:Provider=redis", "OrleansCompute:Clustering:ConnectionString must name the Redis server")]
    [InlineData("--OrleansCompute:Client:Gateways:0=gateway.example:30000", "is not ip:port")]
    [InlineData("--OrleansCompute:Telemetry:OtlpEndpoint=collector:4317", "OrleansCompute:Telemetry:OtlpEndpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an http:// or https:// URL")]
    public async Task Api_host_refuses_settings_that_cannot_work_with_exit_code_2(string setting, string message)
    {
        await using var host = HostProcess.Start("api host", HostProcess.ApiHostDll, Path.GetTempPath(),
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{LoopbackPorts.Allocate()}", setting);
        Assert.Equal(2, await host.WaitForExitAsync(s_startTimeout));
        Assert.Contains(message, host.Output, StringComparison.Ordinal);
    }
}
