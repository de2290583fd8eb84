using System.Net;
using System.Text.Json;
using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// Ingest and reads at the edges found by the outside review (issue 18): sums that would overflow, a (producer, sequence)
/// reused for other events, and a grain interface no silo implements.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DatasetEdgeTests(ApiCluster api)
{
    private HttpClient Http => api.Http;

    private static string NewDataset(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Values_that_could_overflow_a_sum_are_refused_naming_the_event_and_reads_stay_2xx()
    {
        var dataset = NewDataset("overflow");

        // The review's two posts: each is refused with a 400 naming the event and value; nothing is stored.
        for (var sequence = 1; sequence <= 2; sequence++)
        {
            using var post = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence={sequence}",
                ApiCluster.Json("""[{"key":"z","values":{"b":1e308}}]"""));
            var problem = await ApiCluster.AssertProblem(post, HttpStatusCode.BadRequest, "value 'b' is 1E+308, beyond ±1e288");
            Assert.Equal("[0].values.b", problem.GetProperty("field").GetString());
        }

        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/datasets/{dataset}/keys/z"), HttpStatusCode.NotFound);
        using (var top = await Http.GetAsync($"/api/datasets/{dataset}/top?metric=b:sum"))
        {
            Assert.Equal(HttpStatusCode.OK, top.StatusCode);
            Assert.Empty((await ApiCluster.ReadJson(top)).GetProperty("rows").EnumerateArray());
        }

        // At the bound, sums stay finite and exact: 2 × 1e288.
        using (var post = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence=3",
            ApiCluster.Json("""[{"key":"z","values":{"b":1e288}},{"key":"z","values":{"b":-1e288}},{"key":"z","values":{"b":1e288}},{"key":"y","values":{"b":1}}]""")))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        var b = (await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/keys/z"))).GetProperty("values").GetProperty("b");
        Assert.Equal(1e288, b.GetProperty("sum").GetDouble());
        Assert.Equal(1e288 / 3, b.GetProperty("mean").GetDouble());
        Assert.False(b.TryGetProperty("sumOverflowed", out _));
        var rows = (await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/top?metric=b:sum"))).GetProperty("rows");
        Assert.Equal(["z", "y"], rows.EnumerateArray().Select(r => r.GetProperty("key").GetString()!));
    }

    [Fact]
    public async Task A_sum_stored_before_values_were_bounded_that_overflowed_reads_as_null_with_sumOverflowed()
    {
        // State as older versions could write it: two 1e308 values on one key, summed to +∞ (the partition grain applies
        // what it is given; only the ingest grain and the API bound values).
        var dataset = NewDataset("legacy");
        var partition = api.Grains.GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, StreamTopology.PartitionOf("z")));
        List<IngestEvent> events = [new() { Key = "z", Values = new() { ["b"] = 1e308, ["c"] = 2 } }];
        await partition.Apply("old", 1, 0, events);
        await partition.Apply("old", 2, 0, events);

        using var key = await Http.GetAsync($"/api/datasets/{dataset}/keys/z");
        Assert.Equal(HttpStatusCode.OK, key.StatusCode);
        var values = (await ApiCluster.ReadJson(key)).GetProperty("values");
        var b = values.GetProperty("b");
        Assert.Equal(JsonValueKind.Null, b.GetProperty("sum").ValueKind);
        Assert.Equal(JsonValueKind.Null, b.GetProperty("mean").ValueKind);
        Assert.True(b.GetProperty("sumOverflowed").GetBoolean());
        Assert.Equal(2, b.GetProperty("count").GetInt64());
        Assert.Equal(1e308, b.GetProperty("max").GetDouble());
        Assert.Equal(4, values.GetProperty("c").GetProperty("sum").GetDouble());

        // Ranked by events the key is there (its totals as above); ranked by the overflowed sum it is left out, not a 4xx.
        var byEvents = (await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/top"))).GetProperty("rows");
        Assert.True(Assert.Single(byEvents.EnumerateArray()).GetProperty("totals").GetProperty("values").GetProperty("b").GetProperty("sumOverflowed").GetBoolean());
        using var bySum = await Http.GetAsync($"/api/datasets/{dataset}/top?metric=b:sum");
        Assert.Equal(HttpStatusCode.OK, bySum.StatusCode);
        Assert.Empty((await ApiCluster.ReadJson(bySum)).GetProperty("rows").EnumerateArray());
        var byMax = (await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/top?metric=b:max"))).GetProperty("rows");
        Assert.Equal(1e308, Assert.Single(byMax.EnumerateArray()).GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Other_events_under_a_used_producer_and_sequence_are_a_409_problem_and_count_nothing()
    {
        var dataset = NewDataset("reuse");
        var day1 = string.Join('\n', Enumerable.Range(0, 20).Select(i => "{\"key\":\"day1-" + i + "\",\"values\":{\"n\":1}}"));
        var day2 = string.Join('\n', Enumerable.Range(0, 40).Select(i => "{\"key\":\"day2-" + i + "\",\"values\":{\"n\":2}}"));
        using (var first = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=web-1&sequence=1", ApiCluster.Json(day1, "application/x-ndjson")))
        {
            Assert.Equal(20, (await ApiCluster.ReadJson(first)).GetProperty("applied").GetInt32());
        }

        using (var reuse = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=web-1&sequence=1", ApiCluster.Json(day2, "application/x-ndjson")))
        {
            var problem = await ApiCluster.AssertProblem(reuse, HttpStatusCode.Conflict, "already sent a batch with different events as sequence 1");
            Assert.Equal("sequence", problem.GetProperty("field").GetString());
            Assert.Contains("use a new producer id, or sequences above 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var top = (await ApiCluster.ReadJson(await Http.GetAsync($"/api/datasets/{dataset}/top?k=100"))).GetProperty("rows");
        Assert.Equal(20, top.GetArrayLength());
        Assert.All(top.EnumerateArray(), r => Assert.StartsWith("day1-", r.GetProperty("key").GetString(), StringComparison.Ordinal));

        // The identical batch is still a duplicate; day 2 under the next sequence is counted.
        using (var resend = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=web-1&sequence=1", ApiCluster.Json(day1, "application/x-ndjson")))
        {
            Assert.Equal(20, (await ApiCluster.ReadJson(resend)).GetProperty("duplicates").GetInt32());
        }

        using var next = await Http.PostAsync($"/api/datasets/{dataset}/events?producer=web-1&sequence=2", ApiCluster.Json(day2, "application/x-ndjson"));
        Assert.Equal(40, (await ApiCluster.ReadJson(next)).GetProperty("applied").GetInt32());
    }

    [Fact]
    public void A_grain_interface_no_silo_implements_is_503_cluster_unavailable_not_a_bad_request()
    {
        // What a client connected to a cluster without OrleansCompute's grains gets from Orleans: an ArgumentException.
        var exception = Assert.ThrowsAny<ArgumentException>(() => api.Grains.GetGrain<INotImplementedGrain>(0));
        Assert.Contains("Could not find an implementation for interface", exception.Message, StringComparison.Ordinal);

        var (status, title, detail, _) = ApiExceptionHandler.Classify(exception);

        Assert.Equal((503, "Cluster unavailable"), (status, title));
        Assert.Contains("retry later", detail, StringComparison.Ordinal);
        Assert.Equal(400, ApiExceptionHandler.Classify(new ArgumentException("Could not find an implementation for interface X")).Status); // not thrown by Orleans
    }
}

/// <summary>A grain interface with no grain class anywhere.</summary>
public interface INotImplementedGrain : IGrainWithIntegerKey
{
    Task<int> Nothing();
}
