using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.Core.Internal;
using Orleans.Hosting;
using Orleans.Runtime;
using OrleansCompute.Api.Telemetry;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Hosting;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// One trace shows a job from the HTTP request to its last merge: a silo wired as the silo executable wires it with
/// tracing on (<see cref="OrleansComputeTelemetry"/>: Orleans's activity propagation, OpenTelemetry's tracer with our
/// sources), spans collected by an OpenTelemetry processor in this process.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<ActivitySpanId, Activity> _spans = new();
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("ocx-tracing-").FullName;
    private WebApplication _silo = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var ports = LoopbackPorts.Allocate(2);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:RateLimitPerSecond"] = "0",
            ["OrleansCompute:Telemetry:Tracing"] = "true", // no OTLP endpoint here: the processor below is the exporter
        });
        var root = _dataRoot;
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(ports[0], ports[1], serviceId: "tracing-tests", clusterId: "tracing-" + Guid.NewGuid().ToString("N")[..8]);
            silo.AddMemoryGrainStorageAsDefault();
            silo.AddOrleansCompute(o =>
            {
                o.DataRoots.Add(root);
                o.Kinds = ComputeJobRegistry.CreateDefault()
                    .Register<string, long, WordCountResult>(SlowCountJob.Kind, static spec => new SlowCountJob(spec));
                o.Jobs = new JobGrainOptions { AggregatorCount = 2, TickInterval = TimeSpan.FromMilliseconds(200) };
            });
            silo.AddOrleansComputeTelemetry(builder.Configuration);
        });
        builder.Services.AddOrleansComputeApi(builder.Configuration);
        builder.Services.AddOrleansComputeTelemetry(builder.Configuration, tracing: t => t.AddProcessor(new Collector(_spans)));
        _silo = builder.Build();
        _silo.MapOrleansComputeApi();
        _silo.MapOrleansComputeTelemetry();
        await _silo.StartAsync();
        _http = _silo.GetTestClient();
        await ApiCluster.WaitAsync(async () => (await _http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the silo to be ready");
    }

    public async Task DisposeAsync()
    {
        await _silo.StopAsync();
        await _silo.DisposeAsync();
        Directory.Delete(_dataRoot, recursive: true);
    }

    [Fact]
    public async Task A_job_is_one_trace_from_the_http_request_through_its_splits_and_merges_also_after_a_resume()
    {
        // Six or so splits of a slow kind (20 ms a line): the job is still running when its grain is deactivated below.
        var line = string.Join(' ', Enumerable.Range(0, 12).Select(i => "w" + (i % 5))) + "\n";
        File.WriteAllText(Path.Combine(_dataRoot, "words.txt"), string.Concat(Enumerable.Repeat(line, 180)));
        var id = "trace-" + Guid.NewGuid().ToString("N")[..8];
        using var submit = await _http.PostAsync("/api/jobs", ApiCluster.Json(
            $$$"""{"id":"{{{id}}}","kind":"{{{SlowCountJob.Kind}}}","input":{"path":"words.txt","splitBytes":{{{line.Length * 30}}}},"parameters":{"delayMs":"20"}}"""));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);

        // Once a split is done, deactivate the job grain: its next activation resumes the job (a new "job run").
        var grains = _silo.Services.GetRequiredService<IGrainFactory>();
        await ApiCluster.WaitAsync(async () => (await grains.GetGrain<IJobGrain>(id).GetStatus()).SplitsDone > 0, TimeSpan.FromSeconds(30), "a first split");
        await grains.GetGrain<IJobGrain>(id).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        JsonElement status = default;
        await ApiCluster.WaitAsync(async () =>
        {
            status = await ApiCluster.ReadJson(await _http.GetAsync($"/api/jobs/{id}"));
            return status.GetProperty("state").GetString() is not ("queued" or "running");
        }, TimeSpan.FromSeconds(60), "the job to finish");
        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("resumes").GetInt32() >= 1, status.ToString());
        var splits = status.GetProperty("splitsTotal").GetInt32();
        Assert.True(splits >= 4, status.ToString());

        // The last run's span ends after the completed state is durable: wait for it, and for every split's.
        await ApiCluster.WaitAsync(() => Task.FromResult(Ours(id, "job collect").Count >= 1 && Ours(id, "split").Select(s => s.GetTagItem("split.id")).Distinct().Count() == splits),
            TimeSpan.FromSeconds(10), "the job's spans");
        var runs = Ours(id, "job run");
        Assert.True(runs.Count >= 2, $"{runs.Count} job run span(s): the resumed run is missing");

        // One trace: the HTTP request's.
        var http = Assert.Single(_spans.Values, s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore"
            && s.GetTagItem("url.path") as string == "/api/jobs" && s.GetTagItem("http.request.method") as string == "POST"
            && s.TraceId == Ours(id, "job submit").Single().TraceId);
        var trace = _spans.Values.Where(s => s.TraceId == http.TraceId).ToDictionary(s => s.SpanId);
        var mine = _spans.Values.Where(s => s.GetTagItem("job.id") as string == id).ToList();
        Assert.True(mine.All(s => s.TraceId == http.TraceId), string.Join("\n", _spans.Values.OrderBy(s => s.StartTimeUtc).Select(s => $"{s.Source.Name} {s.DisplayName} trace={s.TraceId} span={s.SpanId} parent={s.ParentSpanId} job={s.GetTagItem("job.id")}")));
        foreach (var name in (string[])["job submit", "job run", "job plan", "split", "merge", "job collect"])
        {
            Assert.Contains(mine, s => s.OperationName == name);
        }

        // Linked, not just tagged: each span's parents lead to the HTTP request, through Orleans's grain-call spans.
        Assert.Equal(default, http.ParentSpanId);
        foreach (var span in mine)
        {
            var path = Ancestors(trace, span);
            Assert.True(path[^1] == http.SpanId, $"{span.OperationName}: its parents stop before the HTTP request ({string.Join(" <- ", path.Select(p => trace.TryGetValue(p, out var a) ? a.DisplayName : p.ToString()))})");
        }

        var split = mine.First(s => s.OperationName == "split");
        Assert.Contains(Ancestors(trace, split), p => trace[p].OperationName == "job run");
        Assert.Contains(Ancestors(trace, split), p => trace[p].GetTagItem("rpc.method") is string m && m.EndsWith("IPartitionGrain/Run", StringComparison.Ordinal));
        var merge = mine.First(s => s.OperationName == "merge");
        Assert.Contains(Ancestors(trace, merge), p => trace[p].OperationName == "split");
        Assert.Contains(Ancestors(trace, merge), p => trace[p].GetTagItem("rpc.method") is string m && m.EndsWith("IAggregatorGrain/Merge", StringComparison.Ordinal));
        Assert.Contains(Ancestors(trace, Ours(id, "job submit").Single()), p => p == http.SpanId);
    }

    private List<Activity> Ours(string jobId, string name) =>
        [.. _spans.Values.Where(s => s.OperationName == name && s.GetTagItem("job.id") as string == jobId)];

    /// <summary>The span ids from <paramref name="span"/>'s parent up to the last one recorded in the trace.</summary>
    private static List<ActivitySpanId> Ancestors(Dictionary<ActivitySpanId, Activity> trace, Activity span)
    {
        var path = new List<ActivitySpanId>();
        for (var parent = span.ParentSpanId; trace.TryGetValue(parent, out var next); parent = next.ParentSpanId)
        {
            path.Add(parent);
        }

        return path.Count == 0 ? [span.ParentSpanId] : path;
    }

    /// <summary>Keeps every ended span (an exporter in this process).</summary>
    private sealed class Collector(ConcurrentDictionary<ActivitySpanId, Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => spans[data.SpanId] = data;
    }
}
