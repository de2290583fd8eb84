using System.Net;
using System.Text.Json;

namespace OrleansCompute.Api.Tests;

/// <summary>What the dashboard's silo charts and job list read: <c>GET /api/cluster/metrics</c>, and <c>GET /api/jobs</c> paged and filtered.</summary>
[Collection(ApiCollection.Name)]
public sealed class DashboardDataTests(ApiCluster api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task Cluster_metrics_hold_each_silos_cpu_memory_gc_and_calls_samples()
    {
        var silos = api.SiloAddresses.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal).ToList();
        JsonElement view = default;
        var gcBefore = GC.CollectionCount(0);
        await ApiCluster.WaitAsync(async () =>
        {
            // Work for the samples to see: grain calls (the job list reads the index grain), and collections (the silos run in this process).
            (await Http.GetAsync("/api/jobs?limit=5")).Dispose();
            GC.Collect();
            view = await ApiCluster.ReadJson(await Http.GetAsync("/api/cluster/metrics"));
            var all = view.GetProperty("silos").EnumerateArray().ToList();
            return all.Count == 2 && all.All(s => s.GetProperty("samples").GetArrayLength() >= 4
                && s.GetProperty("samples").EnumerateArray().Any(x => x.GetProperty("callsPerSecond").GetDouble() > 0)
                && s.GetProperty("samples").EnumerateArray().Any(x => x.GetProperty("gcCollections").GetInt64() > 0));
        }, TimeSpan.FromSeconds(30), "both silos to have samples with grain calls and collections");
        Assert.True(GC.CollectionCount(0) > gcBefore);

        Assert.Equal(0.3, view.GetProperty("intervalSeconds").GetDouble(), 3);
        Assert.Equal(120, view.GetProperty("capacity").GetInt32());
        var rows = view.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal(silos, rows.Select(r => r.GetProperty("address").GetString()!));
        foreach (var row in rows)
        {
            Assert.Equal(JsonValueKind.Null, row.GetProperty("error").ValueKind);
            var samples = row.GetProperty("samples").EnumerateArray().ToList();
            Assert.All(samples, s =>
            {
                Assert.InRange(s.GetProperty("cpuPercent").GetDouble(), 0, 100);
                Assert.True(s.GetProperty("memoryBytes").GetInt64() > 16 * 1024 * 1024, s.ToString());
                Assert.InRange(s.GetProperty("gcPausePercent").GetDouble(), 0, 100);
            });
            var times = samples.Select(s => s.GetProperty("at").GetDateTimeOffset()).ToList();
            Assert.Equal(times.Order(), times); // oldest first
        }
    }

    [Fact]
    public async Task Jobs_list_pages_and_filters_by_state_and_kind()
    {
        api.WriteFile("listing/a.txt", "one two three\nfour\n");
        var tag = Guid.NewGuid().ToString("N")[..6];
        var wordCounts = new List<string>();
        var filters = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = $"lwc-{tag}-{i}";
            (await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"id":"{{{id}}}","kind":"word-count","input":{"path":"listing/a.txt"}}"""))).EnsureSuccessStatusCode();
            await api.WaitForJob(id);
            wordCounts.Add(id);
            if (i < 2)
            {
                var f = $"lfc-{tag}-{i}";
                (await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"id":"{{{f}}}","kind":"filter-count","input":{"path":"listing/a.txt"},"filter":{"pattern":"two"}}"""))).EnsureSuccessStatusCode();
                await api.WaitForJob(f);
                filters.Add(f);
            }
        }

        async Task<(List<string> Ids, JsonElement View)> List(string query)
        {
            var view = await ApiCluster.ReadJson(await Http.GetAsync("/api/jobs?" + query));
            return ([.. view.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!)], view);
        }

        // Kind filter (any spelling of the kind), newest first; the state filter combines with it.
        var (ids, view) = await List("kind=FilterCount&limit=1000");
        Assert.Equal("filter-count", view.GetProperty("kind").GetString());
        Assert.Equal(Enumerable.Reverse(filters), ids.Where(id => id.Contains(tag, StringComparison.Ordinal)));
        Assert.All(view.GetProperty("jobs").EnumerateArray(), j => Assert.Equal("filter-count", j.GetProperty("kind").GetString()));
        Assert.Equal(JsonValueKind.Null, view.GetProperty("total").ValueKind);
        (ids, _) = await List("kind=word-count&state=completed&limit=1000");
        Assert.Equal(Enumerable.Reverse(wordCounts), ids.Where(id => id.Contains(tag, StringComparison.Ordinal)));
        (ids, _) = await List("kind=word-count&state=failed&limit=1000");
        Assert.DoesNotContain(ids, id => id.Contains(tag, StringComparison.Ordinal));

        // Filtered pages: offset counts matching jobs; "more" says another page follows.
        var (first, firstView) = await List("kind=filter-count&limit=1");
        var (second, _) = await List("kind=filter-count&limit=1&offset=1");
        Assert.Equal(filters[1], first.Single());
        Assert.Equal(filters[0], second.Single());
        Assert.True(firstView.GetProperty("more").GetBoolean());

        // Unfiltered pages: a total, and consecutive pages that meet without overlap.
        var (all, allView) = await List("limit=1000");
        Assert.Equal(all.Count, allView.GetProperty("total").GetInt32());
        Assert.False(allView.GetProperty("more").GetBoolean());
        var (page1, page1View) = await List("limit=3");
        var (page2, _) = await List("limit=3&offset=3");
        Assert.Equal(all.Take(6), page1.Concat(page2));
        Assert.True(page1View.GetProperty("more").GetBoolean());

        await ApiCluster.AssertProblem(await Http.GetAsync("/api/jobs?state=done"), HttpStatusCode.BadRequest, "queued, running, completed, failed, cancelled");
        await ApiCluster.AssertProblem(await Http.GetAsync("/api/jobs?kind=no-such-kind"), HttpStatusCode.BadRequest, "Unknown job kind");
        await ApiCluster.AssertProblem(await Http.GetAsync("/api/jobs?offset=-1"), HttpStatusCode.BadRequest, "offset");
    }
}
