using System.Net;
using System.Text;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// At least 30 distinct malformed requests, each answered with its exact status and an RFC 9457 problem
/// (application/problem+json with status, title and detail); afterwards the cluster is still ready and the data
/// written before the suite is intact.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputTests(ApiCluster api)
{
    private sealed record Case(string Name, HttpMethod Method, string Url, string? Body, string? MediaType, HttpStatusCode Status,
        string? DetailContains = null, bool Keyed = false, string? Key = null);

    [Fact]
    public async Task Every_malformed_request_gets_its_status_and_a_problem_and_the_cluster_stays_healthy()
    {
        // Data written before the suite, checked afterwards.
        var dataset = "intact-" + Guid.NewGuid().ToString("N")[..8];
        using (var ingest = await api.Http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence=7",
                   ApiCluster.Json("""[{"key":"k","values":{"v":2}},{"key":"k","values":{"v":3}}]""")))
        {
            Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        }

        api.WriteFile("suite/text.txt", "a b c\n");
        var jobId = "suite-" + Guid.NewGuid().ToString("N")[..8];
        using (var submit = await api.Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"id":"{{{jobId}}}","kind":"word-count","input":{"path":"suite/text.txt"}}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        }

        await api.WaitForJob(jobId);
        File.WriteAllText(Path.Combine(api.Outside, "secret.txt"), "outside the root\n");
        var link = Path.Combine(api.DataRoot, "suite-escape");
        if (!Directory.Exists(link))
        {
            Directory.CreateSymbolicLink(link, api.Outside);
        }

        var keyed = await api.StartApiAsync(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:ApiKeys:0"] = ApiCluster.Key,
            ["OrleansCompute:Api:RateLimitPerSecond"] = "0",
        });

        const string J = "application/json";
        const string Nd = "application/x-ndjson";
        var events = $"/api/datasets/{dataset}/events";
        var huge = "[" + string.Join(",", Enumerable.Repeat("""{"key":"k","values":{"v":1}}""", (int)(ApiCluster.BodyLimit / 20))) + "]";
        Case[] cases =
        [
            new("broken JSON", HttpMethod.Post, "/api/jobs", """{"kind":""", J, HttpStatusCode.BadRequest, "malformed"),
            new("wrong type for kind", HttpMethod.Post, "/api/jobs", """{"kind":5,"input":{"path":"suite/text.txt"}}""", J, HttpStatusCode.BadRequest, "$.kind"),
            new("wrong type for splitBytes", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"suite/text.txt","splitBytes":"big"}}""", J, HttpStatusCode.BadRequest, "splitBytes"),
            new("empty body", HttpMethod.Post, "/api/jobs", "", J, HttpStatusCode.BadRequest, "empty"),
            new("JSON null body", HttpMethod.Post, "/api/jobs", "null", J, HttpStatusCode.BadRequest, "not null"),
            new("array instead of object", HttpMethod.Post, "/api/jobs", "[]", J, HttpStatusCode.BadRequest),
            new("unknown field", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"suite/text.txt"},"colour":"red"}""", J, HttpStatusCode.BadRequest, "colour"),
            new("missing kind", HttpMethod.Post, "/api/jobs", """{"input":{"path":"suite/text.txt"}}""", J, HttpStatusCode.BadRequest, "'kind' is required"),
            new("unknown kind lists the registered kinds", HttpMethod.Post, "/api/jobs", """{"kind":"word-cnt","input":{"path":"suite/text.txt"}}""", J, HttpStatusCode.BadRequest, "Registered kinds: api-slow-count, filter-count, group-by, top-k, word-count"),
            new("missing input path", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{}}""", J, HttpStatusCode.BadRequest, "input.path"),
            new("traversal path", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"../../../etc/passwd"}}""", J, HttpStatusCode.BadRequest, "outside the data roots"),
            new("absolute path outside the roots", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"/etc/hostname"}}""", J, HttpStatusCode.BadRequest, "outside"),
            new("symlink escape", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"suite-escape/secret.txt"}}""", J, HttpStatusCode.BadRequest, "outside"),
            new("input that does not exist", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"suite/none.txt"}}""", J, HttpStatusCode.BadRequest, "does not exist"),
            new("two-character delimiter", HttpMethod.Post, "/api/jobs", """{"kind":"group-by","input":{"path":"suite/text.txt","format":"csv","delimiter":";;"},"groupBy":{"keys":["a"]}}""", J, HttpStatusCode.BadRequest, "input.delimiter"),
            new("unknown format", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"suite/text.txt","format":"xml"}}""", J, HttpStatusCode.BadRequest, "text, csv, jsonl"),
            new("empty key columns", HttpMethod.Post, "/api/jobs", """{"kind":"group-by","input":{"path":"suite/text.txt","format":"csv"},"groupBy":{"keys":[]}}""", J, HttpStatusCode.BadRequest, "groupBy.keys"),
            new("unknown aggregate", HttpMethod.Post, "/api/jobs", """{"kind":"group-by","input":{"path":"suite/text.txt","format":"csv"},"groupBy":{"keys":["a"],"aggregates":[{"function":"median","column":"b"}]}}""", J, HttpStatusCode.BadRequest, "count, sum, min, max, mean"),
            new("k out of range", HttpMethod.Post, "/api/jobs", """{"kind":"top-k","input":{"path":"suite/text.txt","format":"csv"},"groupBy":{"keys":["a"]},"topK":{"k":0}}""", J, HttpStatusCode.BadRequest, "topK.k"),
            new("bad regex", HttpMethod.Post, "/api/jobs", """{"kind":"filter-count","input":{"path":"suite/text.txt"},"filter":{"pattern":"(unclosed","mode":"regex"}}""", J, HttpStatusCode.BadRequest, "regular expression"),
            new("fraction above 1", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"suite/text.txt"},"rejection":{"maxBadFraction":2}}""", J, HttpStatusCode.BadRequest, "maxBadFraction"),
            new("NaN as a number option", HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"suite/text.txt"},"rejection":{"maxBadFraction":"NaN"}}""", J, HttpStatusCode.BadRequest, "maxBadFraction"),
            new("bad job id", HttpMethod.Post, "/api/jobs", """{"id":"no spaces!","kind":"word-count","input":{"path":"suite/text.txt"}}""", J, HttpStatusCode.BadRequest, "'id'"),
            new("same id, different spec", HttpMethod.Post, "/api/jobs", $$$"""{"id":"{{{jobId}}}","kind":"word-count","input":{"path":"suite/text.txt"},"wordCount":{"caseFolding":"none"}}""", J, HttpStatusCode.Conflict, "different spec"),
            new("wrong media type for a job", HttpMethod.Post, "/api/jobs", """{"kind":"word-count"}""", "text/plain", HttpStatusCode.UnsupportedMediaType, "application/json"),
            new("job body over the limit", HttpMethod.Post, "/api/jobs", "{\"kind\":\"" + new string('x', (int)ApiCluster.BodyLimit) + "\"}", J, HttpStatusCode.RequestEntityTooLarge, "limit"),
            new("unknown job", HttpMethod.Get, "/api/jobs/no-such-job", null, null, HttpStatusCode.NotFound, "no-such-job"),
            new("result of an unknown job", HttpMethod.Get, "/api/jobs/no-such-job/result", null, null, HttpStatusCode.NotFound),
            new("cancel of an unknown job", HttpMethod.Post, "/api/jobs/no-such-job/cancel", null, null, HttpStatusCode.NotFound),
            new("list limit zero", HttpMethod.Get, "/api/jobs?limit=0", null, null, HttpStatusCode.BadRequest, "limit"),
            new("list limit not a number", HttpMethod.Get, "/api/jobs?limit=ten", null, null, HttpStatusCode.BadRequest, "limit"),
            new("ingest without producer", HttpMethod.Post, events + "?sequence=1", """[{"key":"k"}]""", J, HttpStatusCode.BadRequest, "producer"),
            new("ingest with a bad producer", HttpMethod.Post, events + "?producer=a%20b&sequence=1", """[{"key":"k"}]""", J, HttpStatusCode.BadRequest, "producer"),
            new("negative sequence", HttpMethod.Post, events + "?producer=p&sequence=-1", """[{"key":"k"}]""", J, HttpStatusCode.BadRequest, "sequence"),
            new("sequence not a number", HttpMethod.Post, events + "?producer=p&sequence=x1", """[{"key":"k"}]""", J, HttpStatusCode.BadRequest, "sequence"),
            new("NaN literal in events", HttpMethod.Post, events + "?producer=p&sequence=100", """[{"key":"k","values":{"v":NaN}}]""", J, HttpStatusCode.BadRequest, "not valid JSON"),
            new("NaN string value", HttpMethod.Post, events + "?producer=p&sequence=101", """[{"key":"k","values":{"v":"NaN"}}]""", J, HttpStatusCode.BadRequest, "must be a number"),
            new("infinite value", HttpMethod.Post, events + "?producer=p&sequence=102", """[{"key":"k","values":{"v":1e400}}]""", J, HttpStatusCode.BadRequest, "finite"),
            new("empty event array", HttpMethod.Post, events + "?producer=p&sequence=103", "[]", J, HttpStatusCode.BadRequest, "no events"),
            new("empty ingest body", HttpMethod.Post, events + "?producer=p&sequence=104", "", J, HttpStatusCode.BadRequest, "empty"),
            new("event without key", HttpMethod.Post, events + "?producer=p&sequence=105", """[{"values":{"v":1}}]""", J, HttpStatusCode.BadRequest, "no 'key'"),
            new("event with unknown field", HttpMethod.Post, events + "?producer=p&sequence=106", """[{"key":"k","colour":"red"}]""", J, HttpStatusCode.BadRequest, "colour"),
            new("broken NDJSON line", HttpMethod.Post, events + "?producer=p&sequence=107", "{\"key\":\"k\"}\n{\"key\":\n", Nd, HttpStatusCode.BadRequest, "NDJSON"),
            new("lone surrogate escape in a key", HttpMethod.Post, events + "?producer=p&sequence=120", "{\"key\":\"\\uD901x\",\"values\":{\"v\":1}}\n", Nd, HttpStatusCode.BadRequest, "not valid text"),
            new("wrong media type for events", HttpMethod.Post, events + "?producer=p&sequence=108", "key,v\nk,1\n", "text/csv", HttpStatusCode.UnsupportedMediaType, "application/x-ndjson"),
            new("huge ingest body", HttpMethod.Post, events + "?producer=p&sequence=109", huge, J, HttpStatusCode.RequestEntityTooLarge, "limit"),
            new("bad dataset name", HttpMethod.Get, "/api/datasets/bad%20name/keys/k", null, null, HttpStatusCode.BadRequest, "Dataset names"),
            new("unknown key", HttpMethod.Get, $"/api/datasets/{dataset}/keys/missing", null, null, HttpStatusCode.NotFound, "missing"),
            new("top k out of range", HttpMethod.Get, $"/api/datasets/{dataset}/top?k=0", null, null, HttpStatusCode.BadRequest, "'k'"),
            new("unknown top metric", HttpMethod.Get, $"/api/datasets/{dataset}/top?metric=v:median", null, null, HttpStatusCode.BadRequest, "metric"),
            new("unknown route", HttpMethod.Get, "/api/nowhere", null, null, HttpStatusCode.NotFound, "No route"),
            new("method not allowed", HttpMethod.Delete, "/api/jobs", null, null, HttpStatusCode.MethodNotAllowed, "DELETE"),
            new("missing API key", HttpMethod.Get, "/api/jobs", null, null, HttpStatusCode.Unauthorized, "X-Api-Key", Keyed: true),
            new("wrong API key", HttpMethod.Get, "/api/jobs", null, null, HttpStatusCode.Unauthorized, "not hold a valid key", Keyed: true, Key: ApiCluster.Key + "x"),
            new("API key prefix", HttpMethod.Get, "/api/jobs", null, null, HttpStatusCode.Unauthorized, "not hold a valid key", Keyed: true, Key: ApiCluster.Key[..^1]),
        ];
        Assert.True(cases.Length >= 30);
        Assert.Equal(cases.Length, cases.Select(c => c.Name).Distinct().Count());

        var failures = new List<string>();
        var document = await ApiCluster.ReadJson(await api.Http.GetAsync("/openapi/v1.json"));
        foreach (var c in cases)
        {
            using var request = new HttpRequestMessage(c.Method, c.Url);
            if (c.Body is not null)
            {
                request.Content = new StringContent(c.Body, Encoding.UTF8);
                request.Content.Headers.ContentType = ApiCluster.Media(c.MediaType!);
            }

            if (c.Key is not null)
            {
                request.Headers.Add("X-Api-Key", c.Key);
            }

            using var response = await (c.Keyed ? keyed : api.Http).SendAsync(request);
            try
            {
                await ApiCluster.AssertProblem(response, c.Status, c.DetailContains);
                Assert.True(Documented(document, c.Method, c.Url, (int)c.Status), $"the OpenAPI document does not list {(int)c.Status} for {c.Method} {c.Url}");
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException or System.Text.Json.JsonException)
            {
                failures.Add($"{c.Name}: {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        // Still healthy, earlier data intact, and the keyed API accepts the right key.
        using (var ready = await api.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var totals = await ApiCluster.ReadJson(await api.Http.GetAsync($"/api/datasets/{dataset}/keys/k"));
        Assert.Equal(2, totals.GetProperty("events").GetInt64());
        Assert.Equal(5, totals.GetProperty("values").GetProperty("v").GetProperty("sum").GetDouble());
        var result = await ApiCluster.ReadJson(await api.Http.GetAsync($"/api/jobs/{jobId}/result"));
        Assert.Equal(3, result.GetProperty("wordCount").GetProperty("totalWords").GetInt64());
        using var authorized = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        authorized.Headers.Add("X-Api-Key", ApiCluster.Key);
        using var ok = await keyed.SendAsync(authorized);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var openHealth = await keyed.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, openHealth.StatusCode);
    }

    /// <summary>
    /// Whether the OpenAPI document lists <paramref name="status"/> for the operation <paramref name="url"/> reaches (a 405 on
    /// any operation of the path); true when no documented path matches (an unknown route's 404).
    /// </summary>
    private static bool Documented(System.Text.Json.JsonElement document, HttpMethod method, string url, int status)
    {
        var segments = url.Split('?')[0].Split('/');
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var template = path.Name.Split('/');
            if (template.Length != segments.Length || !template.Zip(segments).All(p => p.First.StartsWith('{') || p.First == p.Second))
            {
                continue;
            }

            var operations = path.Value.EnumerateObject().Where(o => o.Value.ValueKind == System.Text.Json.JsonValueKind.Object && o.Value.TryGetProperty("responses", out _)).ToList();
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return status == 405
                ? operations.Any(o => o.Value.GetProperty("responses").TryGetProperty(key, out _))
                : operations.Any(o => string.Equals(o.Name, method.Method, StringComparison.OrdinalIgnoreCase) && o.Value.GetProperty("responses").TryGetProperty(key, out _));
        }

        return status == 404;
    }

    [Fact]
    public async Task Rate_limit_answers_429_with_a_problem_and_retry_after()
    {
        var limited = await api.StartApiAsync(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:RateLimitPerSecond"] = "1",
            ["OrleansCompute:Api:RateLimitBurst"] = "2",
        });
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 5 && refused is null; i++)
        {
            var response = await limited.GetAsync("/health/live");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            await ApiCluster.AssertProblem(refused, HttpStatusCode.TooManyRequests, "RateLimitPerSecond");
            Assert.True(refused.Headers.RetryAfter is not null);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(2));
    }
}
