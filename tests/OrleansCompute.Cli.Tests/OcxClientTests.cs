using System.Net;
using System.Net.Sockets;
using OrleansCompute.Client;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Tests;

/// <summary>Request shaping and error mapping of <see cref="OcxClient"/> over a fake handler (real behaviour: the live tests).</summary>
public sealed class OcxClientTests
{
    private static OcxClient Client(FakeHandler handler, string? key = null) =>
        new(new HttpClient(handler) { BaseAddress = new Uri("http://api.test/") }, key);

    [Fact]
    public async Task Validation_problem_becomes_an_exception_with_status_title_detail_and_field_errors()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.BadRequest, """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Invalid job submission","status":400,
             "detail":"Unknown job kind 'wordcont'.","errors":{"kind":["Unknown job kind 'wordcont'. Known: word-count, group-by."]},"traceId":"00-abc"}
            """, "application/problem+json"));

        var ex = await Assert.ThrowsAsync<OcxApiException>(() => Client(handler).SubmitJobAsync(new JobSubmission { Kind = "wordcont", Input = new JobInput { Path = "a.txt" } }));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("Invalid job submission", ex.Problem.Title);
        Assert.Equal("Unknown job kind 'wordcont'.", ex.Problem.Detail);
        Assert.Equal(["Unknown job kind 'wordcont'. Known: word-count, group-by."], ex.Errors["kind"]);
        Assert.True(ex.Problem.Extensions!.ContainsKey("traceId"));
        Assert.False(ex.IsAuthenticationError);
        Assert.StartsWith("400 Invalid job submission: Unknown job kind 'wordcont'. (kind: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task Error_without_problem_body_keeps_status_reason_and_text()
    {
        var handler = new FakeHandler((_, _) => new HttpResponseMessage(HttpStatusCode.BadGateway) { ReasonPhrase = "Bad Gateway", Content = new StringContent("upstream down\n") });

        var ex = await Assert.ThrowsAsync<OcxApiException>(() => Client(handler).GetJobAsync("j1"));

        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.Equal("Bad Gateway", ex.Problem.Title);
        Assert.Equal("upstream down", ex.Problem.Detail);
        Assert.Equal("502 Bad Gateway: upstream down", ex.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Auth_statuses_are_flagged(HttpStatusCode status)
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(status, """{"title":"Missing or wrong API key","status":401}""", "application/problem+json"));

        var ex = await Assert.ThrowsAsync<OcxApiException>(() => Client(handler).ListJobsAsync());

        Assert.True(ex.IsAuthenticationError);
        Assert.Equal(status, ex.StatusCode);
    }

    [Fact]
    public async Task Api_key_goes_in_the_header_and_ids_are_escaped_into_the_path()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"id":"a b/c","state":"running","progress":0.5}"""));

        var status = await Client(handler, "s3cret").GetJobAsync("a b/c");

        var (request, _) = Assert.Single(handler.Requests);
        Assert.Equal("http://api.test/api/jobs/a%20b%2Fc", request.RequestUri!.AbsoluteUri);
        Assert.Equal(["s3cret"], request.Headers.GetValues(ApiRoutes.ApiKeyHeader));
        Assert.Equal("a b/c", status.Id);
        Assert.Equal(0.5, status.Progress);
    }

    [Fact]
    public async Task No_key_means_no_key_header()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"datasets":[]}"""));

        await Client(handler).ListDatasetsAsync();

        Assert.False(handler.Requests[0].Request.Headers.Contains(ApiRoutes.ApiKeyHeader));
    }

    [Fact]
    public async Task Base_address_path_is_kept()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"clusterId":"dev","silos":[]}"""));
        var client = new OcxClient(new HttpClient(handler) { BaseAddress = new Uri("http://gw.test/ocx/") });

        var cluster = await client.GetClusterAsync();

        Assert.Equal("http://gw.test/ocx/api/cluster", handler.Requests[0].Request.RequestUri!.AbsoluteUri);
        Assert.Equal("dev", cluster.ClusterId);
    }

    [Fact]
    public async Task Submission_is_camel_case_json_without_nulls()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.Accepted, """{"id":"j1","state":"queued"}"""));

        await Client(handler).SubmitJobAsync(new JobSubmission { Kind = "word-count", Input = new JobInput { Path = "/data/a.txt" }, TopK = new TopKSettings { K = 5 } });

        var (request, body) = handler.Requests[0];
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/api/jobs", request.RequestUri!.AbsolutePath);
        Assert.Equal("""{"kind":"word-count","input":{"path":"/data/a.txt"},"topK":{"k":5}}""", body);
    }

    [Fact]
    public async Task Ingest_sends_producer_and_sequence_and_a_json_array()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"dataset":"d 1","producer":"p","sequence":7,"applied":2,"duplicates":0}"""));

        var ack = await Client(handler).IngestAsync("d 1", "p&q", 7, [new EventView { Key = "a", Values = { ["v"] = 1.5 } }, new EventView { Key = "b" }]);

        var (request, body) = handler.Requests[0];
        Assert.Equal("http://api.test/api/datasets/d%201/events?producer=p%26q&sequence=7", request.RequestUri!.AbsoluteUri);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("""[{"key":"a","values":{"v":1.5}},{"key":"b","values":{}}]""", body);
        Assert.Equal(2, ack.Applied);
    }

    [Fact]
    public async Task Ndjson_ingest_streams_the_body_with_the_ndjson_media_type()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"applied":1}"""));
        var text = "{\"key\":\"a\"}\n";

        await Client(handler).IngestAsync("d", "p", 1, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Equal(OcxClient.NdjsonMediaType, handler.Requests[0].Request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal(text, handler.Requests[0].Body);
    }

    [Fact]
    public async Task Top_passes_k_and_metric()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"dataset":"d","metric":"amount:sum","rows":[{"key":"x","score":3,"totals":{"key":"x","events":2}}]}"""));

        var top = await Client(handler).GetTopAsync("d", 3, "amount:sum");

        Assert.Equal("/api/datasets/d/top?k=3&metric=amount%3Asum", handler.Requests[0].Request.RequestUri!.PathAndQuery);
        Assert.Equal(3, top.Rows[0].Score);
        Assert.Equal(2, top.Rows[0].Totals.Events);
    }

    [Fact]
    public async Task Wait_polls_until_a_terminal_state_and_reports_each_status()
    {
        var states = new Queue<string>(["queued", "running", "running", "completed"]);
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, $$"""{"id":"j","state":"{{states.Dequeue()}}"}"""));
        var seen = new List<string>();

        var final = await Client(handler).WaitForJobAsync("j", s => seen.Add(s.State), TimeSpan.FromMilliseconds(1));

        Assert.Equal("completed", final.State);
        Assert.Equal(["queued", "running", "running", "completed"], seen);
        Assert.Empty(states);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, false)]
    public async Task Ready_maps_200_and_503(HttpStatusCode status, bool expected)
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(status, """{"status":"x"}"""));

        Assert.Equal(expected, await Client(handler).IsReadyAsync());
        Assert.Equal("/health/ready", handler.Requests[0].Request.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Ready_throws_on_other_statuses()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.Unauthorized, """{"title":"Missing API key"}"""));

        var ex = await Assert.ThrowsAsync<OcxApiException>(() => Client(handler).IsReadyAsync());
        Assert.True(ex.IsAuthenticationError);
    }

    [Fact]
    public async Task Success_with_a_body_of_the_wrong_shape_is_an_api_error_not_a_json_exception()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, "[1,2,3]"));

        var ex = await Assert.ThrowsAsync<OcxApiException>(() => Client(handler).GetClusterAsync());
        Assert.Equal("Unexpected response", ex.Problem.Title);
    }

    [Fact]
    public async Task Refused_connection_becomes_a_connection_exception()
    {
        // A loopback port that was just free: nothing listens there.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var ex = await Assert.ThrowsAsync<OcxConnectionException>(() => new OcxClient(http).GetClusterAsync());

        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public void Client_needs_a_base_address()
    {
        Assert.Throws<ArgumentException>(() => new OcxClient(new HttpClient()));
    }
}
