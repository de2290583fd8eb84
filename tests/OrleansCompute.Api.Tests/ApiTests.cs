using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansCompute.Api.Tests;

/// <summary>The API's happy paths over a 2-silo TestCluster: jobs with exact results, exactly-once ingest, queries, cluster view, health, OpenAPI.</summary>
[Collection(ApiCollection.Name)]
public sealed partial class ApiTests(ApiCluster api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task Word_count_job_is_accepted_with_a_location_and_finishes_with_the_exact_result()
    {
        var random = new Random(42);
        string[] vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
        var text = new StringBuilder();
        for (var line = 0; line < 2000; line++)
        {
            for (var w = 0; w < 1 + random.Next(8); w++)
            {
                var word = vocabulary[random.Next(vocabulary.Length)];
                text.Append(random.Next(4) == 0 ? word.ToUpperInvariant() : word).Append(' ');
            }

            text.Append('\n');
        }

        api.WriteFile("wc/words.txt", text.ToString());
        // Independent reference: split on anything but ASCII letters, lower-case.
        var expected = WordSplit().Split(text.ToString()).Where(w => w.Length > 0).GroupBy(w => w.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => (long)g.Count());

        using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json("""{"kind":"wordcount","input":{"path":"wc/words.txt","splitBytes":4096}}"""));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var accepted = await ApiCluster.ReadJson(submit);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/jobs/{id}", submit.Headers.Location?.OriginalString);
        Assert.Equal("word-count", accepted.GetProperty("kind").GetString());
        Assert.Contains(accepted.GetProperty("state").GetString(), new[] { "queued", "running", "completed" });

        var status = await api.WaitForJob(id);
        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("splitsTotal").GetInt32() > 1);
        Assert.Equal(status.GetProperty("splitsTotal").GetInt32(), status.GetProperty("splitsDone").GetInt32());
        Assert.Equal(1.0, status.GetProperty("progress").GetDouble());

        using var resultResponse = await Http.GetAsync($"/api/jobs/{id}/result");
        Assert.Equal(HttpStatusCode.OK, resultResponse.StatusCode);
        var result = await ApiCluster.ReadJson(resultResponse);
        var words = result.GetProperty("wordCount");
        var actual = words.GetProperty("words").EnumerateArray().ToDictionary(w => w.GetProperty("word").GetString()!, w => w.GetProperty("count").GetInt64());
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Values.Sum(), words.GetProperty("totalWords").GetInt64());
        Assert.Equal(2000, result.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task Group_by_over_csv_matches_a_linq_reference()
    {
        var random = new Random(7);
        var csv = new StringBuilder("carrier,delay\n");
        var rows = new List<(string Carrier, decimal Delay)>();
        for (var i = 0; i < 500; i++)
        {
            var carrier = "C" + random.Next(5).ToString(CultureInfo.InvariantCulture);
            var delay = random.Next(-300, 3000) / 10m;
            rows.Add((carrier, delay));
            csv.Append(carrier).Append(',').Append(delay.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        api.WriteFile("gb/flights.csv", csv.ToString());
        using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json("""
            {"kind":"group-by","input":{"path":"gb/flights.csv","format":"csv"},
             "groupBy":{"keys":["carrier"],"aggregates":[{"function":"count"},{"function":"sum","column":"delay"},{"function":"max","column":"delay"}]}}
            """));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var id = (await ApiCluster.ReadJson(submit)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await api.WaitForJob(id)).GetProperty("state").GetString());

        var result = await ApiCluster.ReadJson(await Http.GetAsync($"/api/jobs/{id}/result"));
        var groupBy = result.GetProperty("groupBy");
        Assert.Equal(["count", "sum(delay)", "max(delay)"], groupBy.GetProperty("aggregates").EnumerateArray().Select(a => a.GetString()!).ToArray());
        var actual = groupBy.GetProperty("rows").EnumerateArray().Select(r => (
            Key: r.GetProperty("key")[0].GetString()!,
            Count: r.GetProperty("values")[0].GetDecimal(),
            Sum: r.GetProperty("values")[1].GetDecimal(),
            Max: r.GetProperty("values")[2].GetDecimal())).ToList();
        var expected = rows.GroupBy(r => r.Carrier).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Count: (decimal)g.Count(), Sum: g.Sum(r => r.Delay), Max: g.Max(r => r.Delay))).ToList();
        Assert.Equal(expected, actual);
    }

    /// <summary>Issue 17: a JSON null key is its own group, sent as JSON null (not merged with ""), through two silos.</summary>
    [Fact]
    public async Task Group_by_keeps_a_json_null_key_apart_from_the_empty_string()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < 210; i++)
        {
            lines.Append((i % 3) switch { 0 => """{"k":null,"v":1}""", 1 => """{"k":"","v":2}""", _ => """{"k":"a","v":3}""" }).Append('\n');
        }

        api.WriteFile("nulls/k.jsonl", lines.ToString());
        using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json("""
            {"kind":"group-by","input":{"path":"nulls/k.jsonl","format":"jsonl","splitBytes":1024},
             "groupBy":{"keys":["k"],"aggregates":[{"function":"count"},{"function":"sum","column":"v"}]}}
            """));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var id = (await ApiCluster.ReadJson(submit)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await api.WaitForJob(id)).GetProperty("state").GetString());

        var result = await ApiCluster.ReadJson(await Http.GetAsync($"/api/jobs/{id}/result"));
        var rows = result.GetProperty("groupBy").GetProperty("rows").EnumerateArray()
            .Select(r => (Key: r.GetProperty("key").GetRawText(), Count: r.GetProperty("values")[0].GetDecimal(), Sum: r.GetProperty("values")[1].GetDecimal()))
            .ToList();
        Assert.Equal([("[\"\"]", 70m, 140m), ("[\"a\"]", 70m, 210m), ("[null]", 70m, 70m)], rows);
        Assert.Equal(3, result.GetProperty("groupBy").GetProperty("groups").GetInt64());
    }

    /// <summary>Issue 17: the default substring mode honours ignoreCase (it used to compare bytes exactly).</summary>
    [Fact]
    public async Task Substring_filter_ignores_case_when_asked_and_matches_exactly_otherwise()
    {
        api.WriteFile("case/todo.txt", "todo\nTODO\nToDo\ndone\nStraße TODO\n");
        async Task<long> Matches(string filter)
        {
            using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"kind":"filter-count","input":{"path":"case/todo.txt"},"filter":{{{filter}}}}"""));
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
            var id = (await ApiCluster.ReadJson(submit)).GetProperty("id").GetString()!;
            Assert.Equal("completed", (await api.WaitForJob(id)).GetProperty("state").GetString());
            return (await ApiCluster.ReadJson(await Http.GetAsync($"/api/jobs/{id}/result"))).GetProperty("filterCount").GetProperty("matches").GetInt64();
        }

        Assert.Equal(4, await Matches("""{"pattern":"todo","ignoreCase":true}"""));
        Assert.Equal(4, await Matches("""{"pattern":"todo","mode":"regex","ignoreCase":true}"""));
        Assert.Equal(1, await Matches("""{"pattern":"todo"}"""));
        Assert.Equal(1, await Matches("""{"pattern":"Straße TODO"}"""));
        Assert.Equal(1, await Matches("""{"pattern":"STRAßE todo","ignoreCase":true}""")); // non-ASCII: ordinal ignore-case
        Assert.Equal(0, await Matches("""{"pattern":"strasse","ignoreCase":true}"""));     // no full case folding: ß is not ss
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_and_a_finished_job_can_be_cancelled_without_change()
    {
        api.WriteFile("list/a.txt", "one two\n");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = $"list-{Guid.NewGuid():N}";
            using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"id":"{{{id}}}","kind":"word-count","input":{"path":"list/a.txt"}}"""));
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
            ids.Add(id);
            await api.WaitForJob(id);
        }

        // The same spec under the same id again is idempotent.
        using (var again = await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"id":"{{{ids[0]}}}","kind":"word-count","input":{"path":"list/a.txt"}}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            Assert.Equal("completed", (await ApiCluster.ReadJson(again)).GetProperty("state").GetString());
        }

        var list = await ApiCluster.ReadJson(await Http.GetAsync("/api/jobs?limit=1000"));
        var listed = list.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).Where(ids.Contains).ToList();
        Assert.Equal(Enumerable.Reverse(ids), listed);

        var limited = await ApiCluster.ReadJson(await Http.GetAsync("/api/jobs?limit=2"));
        Assert.Equal(2, limited.GetProperty("jobs").GetArrayLength());

        using var cancel = await Http.PostAsync($"/api/jobs/{ids[1]}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("completed", (await ApiCluster.ReadJson(cancel)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_running_job_has_no_result_yet_and_a_cancelled_one_says_so()
    {
        api.WriteFile("slow/lines.txt", string.Concat(Enumerable.Repeat("slow line here\n", 400)));
        using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""
            {"kind":"{{{SlowCountJob.Kind}}}","input":{"path":"slow/lines.txt"},"parameters":{"delayMs":"50"}}
            """));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var id = (await ApiCluster.ReadJson(submit)).GetProperty("id").GetString()!;

        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}/result"), HttpStatusCode.Conflict, "not ready yet");

        using var cancel = await Http.PostAsync($"/api/jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", (await ApiCluster.ReadJson(cancel)).GetProperty("state").GetString());
        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}/result"), HttpStatusCode.Conflict, "cancelled");
    }

    [Fact]
    public async Task Delete_removes_a_finished_job_and_its_listing_and_refuses_a_running_one_naming_the_cancel_route()
    {
        api.WriteFile("del/a.txt", "one two two\n");
        var id = $"del-{Guid.NewGuid():N}";
        using (var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"id":"{{{id}}}","kind":"word-count","input":{"path":"del/a.txt"}}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        }

        await api.WaitForJob(id);
        using (var deleted = await Http.DeleteAsync($"/api/jobs/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}"), HttpStatusCode.NotFound, id);
        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}/result"), HttpStatusCode.NotFound, id);
        await ApiCluster.AssertProblem(await Http.DeleteAsync($"/api/jobs/{id}"), HttpStatusCode.NotFound, "deleted");
        var list = await ApiCluster.ReadJson(await Http.GetAsync("/api/jobs?limit=1000"));
        Assert.DoesNotContain(list.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);

        // A running job is refused with what to do; once cancelled it can be deleted.
        api.WriteFile("del/slow.txt", string.Concat(Enumerable.Repeat("slow line here\n", 100)));
        using var running = await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""
            {"kind":"{{{SlowCountJob.Kind}}}","input":{"path":"del/slow.txt"},"parameters":{"delayMs":"50"}}
            """));
        var slowId = (await ApiCluster.ReadJson(running)).GetProperty("id").GetString()!;
        await ApiCluster.AssertProblem(await Http.DeleteAsync($"/api/jobs/{slowId}"), HttpStatusCode.Conflict, $"/api/jobs/{slowId}/cancel");
        using (var cancel = await Http.PostAsync($"/api/jobs/{slowId}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        // Its split in flight (~5 s) finishes first; until then the answer says so and the delete is sent again.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var afterCancel = await Http.DeleteAsync($"/api/jobs/{slowId}");
            if (afterCancel.StatusCode == HttpStatusCode.NoContent)
            {
                break;
            }

            Assert.Equal(TimeSpan.FromSeconds(2), afterCancel.Headers.RetryAfter?.Delta);
            await ApiCluster.AssertProblem(afterCancel, HttpStatusCode.Conflict, "still finishing");
            Assert.True(DateTime.UtcNow < deadline, "the cancelled job could not be deleted within 60 s");
        }

        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{slowId}"), HttpStatusCode.NotFound, slowId);
    }

    [Fact]
    public async Task A_failed_job_answers_its_result_with_a_conflict_naming_the_error()
    {
        api.WriteFile("bad/records.csv", "a,b\n1,2\n3\n4,5,6\n");
        using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json("""
            {"kind":"group-by","input":{"path":"bad/records.csv","format":"csv"},"groupBy":{"keys":["a"]},"rejection":{"maxBadRecords":0}}
            """));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var id = (await ApiCluster.ReadJson(submit)).GetProperty("id").GetString()!;
        var status = await api.WaitForJob(id);
        Assert.Equal("failed", status.GetProperty("state").GetString());
        var problem = await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}/result"), HttpStatusCode.Conflict, "failed");
        Assert.Contains(status.GetProperty("error").GetString()!, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_is_exactly_once_and_queries_see_exact_totals()
    {
        var dataset = "clicks-" + Guid.NewGuid().ToString("N")[..8];
        var ndjson = "{\"key\":\"home\",\"values\":{\"ms\":10}}\n{\"key\":\"cart\",\"values\":{\"ms\":30.5}}\n{\"key\":\"home\",\"values\":{\"ms\":20},\"timestamp\":\"2026-01-01T00:00:00Z\"}\n";
        using var first = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=web-1&sequence=1", ApiCluster.Json(ndjson, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var ack = await ApiCluster.ReadJson(first);
        Assert.Equal(3, ack.GetProperty("applied").GetInt32());
        Assert.Equal(0, ack.GetProperty("duplicates").GetInt32());

        // The same batch again (a lost acknowledgement): counted once.
        using var resend = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=web-1&sequence=1", ApiCluster.Json(ndjson, "application/x-ndjson"));
        var again = await ApiCluster.ReadJson(resend);
        Assert.Equal(0, again.GetProperty("applied").GetInt32());
        Assert.Equal(3, again.GetProperty("duplicates").GetInt32());

        // A JSON array from another producer is a different batch.
        using var array = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=web-2&sequence=1",
            ApiCluster.Json("""[{"key":"home","values":{"ms":40}},{"key":"search"}]"""));
        Assert.Equal(2, (await ApiCluster.ReadJson(array)).GetProperty("applied").GetInt32());

        var home = await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/keys/home"));
        Assert.Equal(3, home.GetProperty("events").GetInt64());
        var ms = home.GetProperty("values").GetProperty("ms");
        Assert.Equal(3, ms.GetProperty("count").GetInt64());
        Assert.Equal(70, ms.GetProperty("sum").GetDouble());
        Assert.Equal(10, ms.GetProperty("min").GetDouble());
        Assert.Equal(40, ms.GetProperty("max").GetDouble());

        var top = await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/top?k=2&metric=events"));
        Assert.Equal(["home", "cart"], top.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToArray());
        Assert.Equal(3, top.GetProperty("rows")[0].GetProperty("score").GetDouble());
        var bySum = await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/top?k=5&metric=ms:sum"));
        Assert.Equal(["home", "cart"], bySum.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToArray());

        var datasets = await ApiCluster.ReadJson(await Http.GetAsync("/api/datasets"));
        var entry = datasets.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("name").GetString() == dataset);
        Assert.Equal(5, entry.GetProperty("events").GetInt64());
    }

    [Fact]
    public async Task Cluster_view_lists_both_silos_with_activations_by_type_cpu_and_memory()
    {
        // Orleans's management grain: membership, activations by grain type, each silo's runtime statistics.
        JsonElement view = default;
        await ApiCluster.WaitAsync(async () =>
        {
            view = await ApiCluster.ReadJson(await Http.GetAsync("/api/cluster"));
            return view.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active"
                && s.GetProperty("activations").ValueKind == JsonValueKind.Number && s.GetProperty("cpuUsage").ValueKind == JsonValueKind.Number) == 2;
        }, TimeSpan.FromSeconds(30), "both silos to report statistics");

        var silos = view.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal(api.SiloAddresses.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal),
            silos.Select(s => s.GetProperty("address").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(["api-silo-1", "api-silo-2"], silos.Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(silos, s => Assert.Equal("active", s.GetProperty("status").GetString()));
        Assert.All(silos, s => Assert.InRange(s.GetProperty("cpuUsage").GetDouble(), 0, 100 * Environment.ProcessorCount));
        Assert.All(silos, s => Assert.True(s.GetProperty("memoryUsageBytes").GetInt64() > 1024 * 1024, s.ToString()));
        Assert.All(silos, s => Assert.Equal(JsonValueKind.String, s.GetProperty("startedAt").ValueKind));
        Assert.All(silos, s => Assert.False(s.TryGetProperty("callsPerSecond", out _), "calls/s comes from the Orleans Dashboard, not the cluster view"));
        var byType = silos.SelectMany(s => s.GetProperty("activationsByType").EnumerateObject()).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Sum(p => p.Value.GetInt32()));
        // The readiness probe's grain (key = the node) has an activation, named by its short class name.
        Assert.True(byType.GetValueOrDefault("HealthProbeGrain") >= 1, string.Join(", ", byType.Select(p => $"{p.Key}={p.Value}")));
        Assert.All(byType.Keys, t => Assert.DoesNotContain('.', t));
        Assert.Equal(view.GetProperty("totalActivations").GetInt32(), silos.Sum(s => s.GetProperty("activations").GetInt32()));
        Assert.Equal(api.ClusterId, view.GetProperty("clusterId").GetString());
    }

    [Fact]
    public async Task Health_and_openapi_answer()
    {
        var live = await ApiCluster.ReadJson(await Http.GetAsync("/health/live"));
        Assert.Equal("live", live.GetProperty("status").GetString());
        using var readyResponse = await Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, readyResponse.StatusCode);
        var ready = await ApiCluster.ReadJson(readyResponse);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Contains(ready.GetProperty("checks").EnumerateArray(), c => c.GetString()!.StartsWith("storage:", StringComparison.Ordinal));

        var doc = await ApiCluster.ReadJson(await Http.GetAsync("/openapi/v1.json"));
        var paths = doc.GetProperty("paths");
        foreach (var route in new[] { "/api/jobs", "/api/jobs/{id}", "/api/jobs/{id}/result", "/api/jobs/{id}/cancel", "/api/datasets",
            "/api/datasets/{dataset}/events", "/api/datasets/{dataset}/keys/{key}", "/api/datasets/{dataset}/top", "/api/cluster", "/health/ready" })
        {
            Assert.True(paths.TryGetProperty(route, out _), $"OpenAPI document lacks {route}");
        }

        Assert.True(paths.GetProperty("/api/jobs").GetProperty("post").TryGetProperty("requestBody", out _));
    }

    [GeneratedRegex("[^A-Za-z]+")]
    private static partial Regex WordSplit();
}
