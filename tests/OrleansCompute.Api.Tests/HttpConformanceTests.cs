using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// Issue 18 point 4, HTTP conformance: HEAD on every GET route, nothing after the JSON body, UTF-8 only (a BOM allowed),
/// client input cut in problems, WWW-Authenticate on 401 and <c>type</c> on 429, and the request line and header limits
/// answered with problems. HEAD and the limits are checked over real Kestrel (loopback TCP): Kestrel is what drops a HEAD
/// response's body and what rejected over-long requests with empty bodies.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HttpConformanceTests(ApiCluster api)
{
    [Fact]
    public async Task Head_on_every_GET_route_answers_like_GET_with_the_same_headers_and_no_body()
    {
        var (app, http) = await api.StartKestrelApiAsync(new Dictionary<string, string?> { ["OrleansCompute:Api:RateLimitPerSecond"] = "0" });
        using var client = http;
        var gets = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains(HttpMethods.Get))
            .Select(e => Url(e.RoutePattern.RawText!))
            .Distinct()
            .ToList();
        Assert.Contains("/health/ready", gets);
        Assert.Contains("/metrics", gets);
        Assert.True(gets.Any(g => g.StartsWith("/dashboard", StringComparison.Ordinal)), string.Join(" ", gets));
        Assert.Contains("/openapi/v1.json", gets);

        var failures = new List<string>();
        foreach (var url in gets)
        {
            using var get = await http.GetAsync(url);
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            var body = await head.Content.ReadAsByteArrayAsync();
            if (head.StatusCode != get.StatusCode || head.StatusCode == HttpStatusCode.MethodNotAllowed)
            {
                failures.Add($"{url}: GET {(int)get.StatusCode}, HEAD {(int)head.StatusCode}");
            }
            else if (body.Length != 0)
            {
                failures.Add($"{url}: HEAD sent a body of {body.Length} bytes");
            }
            else if (head.Content.Headers.ContentType?.ToString() != get.Content.Headers.ContentType?.ToString())
            {
                failures.Add($"{url}: Content-Type GET '{get.Content.Headers.ContentType}', HEAD '{head.Content.Headers.ContentType}'");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        using var ready = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        // HEAD on a POST-only route is still a 405, and says HEAD.
        using var cancel = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/jobs/x/cancel"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, cancel.StatusCode);
        Assert.Contains("POST", cancel.Content.Headers.Allow);
    }

    [Fact]
    public async Task Content_after_the_JSON_value_is_refused_on_every_JSON_route()
    {
        api.WriteFile("conformance/text.txt", "a b\n");
        var events = $"/api/datasets/trailing-{Guid.NewGuid():N}/events?producer=p&sequence=";
        (string Url, string Body, string Media)[] cases =
        [
            ("/api/jobs", """{"kind":"word-count","input":{"path":"conformance/text.txt"}} xyz""", "application/json"),
            ("/api/jobs", """{"kind":"word-count","input":{"path":"conformance/text.txt"}}{"kind":"word-count"}""", "application/json"),
            (events + "1", """[{"key":"k","values":{"v":1}}] xyz""", "application/json"),
            (events + "2", """[{"key":"k","values":{"v":1}}][]""", "application/json"),
            (events + "3", "{\"key\":\"k\"}\nxyz\n", "application/x-ndjson"),
        ];
        foreach (var (url, body, media) in cases)
        {
            using var response = await api.Http.PostAsync(url, ApiCluster.Json(body, media));
            var problem = await ApiCluster.AssertProblem(response, HttpStatusCode.BadRequest);
            Assert.Equal("body", problem.GetProperty("field").GetString());
        }

        // White space after the value is fine.
        using var ok = await api.Http.PostAsync("/api/jobs", ApiCluster.Json("""{"kind":"word-count","input":{"path":"conformance/text.txt"}}""" + " \r\n\t"));
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
    }

    [Fact]
    public async Task Bodies_are_UTF8_a_BOM_is_accepted_and_other_charsets_get_415()
    {
        api.WriteFile("conformance/bom.txt", "a b\n");
        var dataset = "charset-" + Guid.NewGuid().ToString("N")[..8];
        var job = """{"kind":"word-count","input":{"path":"conformance/bom.txt"}}""";

        foreach (var (url, body, media) in new[]
        {
            ("/api/jobs", job, "application/json; charset=utf-16"),
            ($"/api/datasets/{dataset}/events?producer=p&sequence=1", """[{"key":"k"}]""", "application/json; charset=utf-16"),
            ($"/api/datasets/{dataset}/events?producer=p&sequence=1", "{\"key\":\"k\"}\n", "application/x-ndjson; charset=iso-8859-1"),
        })
        {
            using var refused = await api.Http.PostAsync(url, Bytes(Encoding.UTF8.GetBytes(body), media));
            var problem = await ApiCluster.AssertProblem(refused, HttpStatusCode.UnsupportedMediaType, "UTF-8");
            Assert.Equal("Content-Type", problem.GetProperty("field").GetString());
        }

        byte[] bom = [0xEF, 0xBB, 0xBF];
        using (var submitted = await api.Http.PostAsync("/api/jobs", Bytes([.. bom, .. Encoding.UTF8.GetBytes(job)], "application/json; charset=UTF-8")))
        {
            Assert.True(HttpStatusCode.Accepted == submitted.StatusCode, await submitted.Content.ReadAsStringAsync());
        }

        using (var array = await api.Http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence=2",
                   Bytes([.. bom, .. Encoding.UTF8.GetBytes("""[{"key":"k","values":{"v":1}}]""")], "application/json; charset=\"utf-8\"")))
        {
            Assert.True(HttpStatusCode.OK == array.StatusCode, await array.Content.ReadAsStringAsync());
            Assert.Equal(1, (await ApiCluster.ReadJson(array)).GetProperty("applied").GetInt32());
        }

        using (var ndjson = await api.Http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence=3",
                   Bytes([.. bom, .. Encoding.UTF8.GetBytes("{\"key\":\"k\",\"values\":{\"v\":2}}\n")], "application/x-ndjson")))
        {
            Assert.True(HttpStatusCode.OK == ndjson.StatusCode, await ndjson.Content.ReadAsStringAsync());
        }

        var totals = await ApiCluster.ReadJson(await api.Http.GetAsync($"/api/datasets/{dataset}/keys/k"));
        Assert.Equal(3, totals.GetProperty("values").GetProperty("v").GetProperty("sum").GetDouble());
    }

    [Fact]
    public async Task Problems_quote_long_input_cut_to_its_start_and_length()
    {
        var id = new string('i', 200_000);
        var field = new string('f', 100_000);
        var failures = new List<string>();
        foreach (var (method, url, body, media) in new (HttpMethod, string, string?, string?)[]
        {
            (HttpMethod.Post, "/api/jobs", $$$"""{"id":"{{{id}}}!","kind":"word-count","input":{"path":"x"}}""", "application/json"),
            (HttpMethod.Post, "/api/jobs", $$$"""{"kind":"word-count","input":{"path":"x","format":"{{{id}}}"}}""", "application/json"),
            (HttpMethod.Post, "/api/datasets/d/events?producer=p&sequence=1", $$"""[{"key":"k","{{field}}":1}]""", "application/json"),
            (HttpMethod.Post, "/api/datasets/d/events?producer=p&sequence=1", $$$"""[{"key":"k","values":{"{{{field}}}":"x"}}]""", "application/json"),
            (HttpMethod.Get, "/api/jobs?limit=" + new string('9', 6000), null, null),
            (HttpMethod.Get, "/api/datasets/" + new string('d', 5000) + "!/top", null, null),
        })
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = ApiCluster.Json(body, media!);
            }

            using var response = await api.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var problem = await ApiCluster.AssertProblem(response, HttpStatusCode.BadRequest);
            if (text.Length > 1500 || !problem.GetProperty("detail").GetString()!.Contains(" characters)", StringComparison.Ordinal))
            {
                failures.Add($"{method} {url[..Math.Min(url.Length, 60)]}: {text.Length} characters: {text[..Math.Min(text.Length, 300)]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_401_challenges_for_the_api_key_and_a_429_has_a_type()
    {
        var keyed = await api.StartApiAsync(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:ApiKeys:0"] = ApiCluster.Key,
            ["OrleansCompute:Api:RateLimitPerSecond"] = "1",
            ["OrleansCompute:Api:RateLimitBurst"] = "1",
        });
        using var missing = await keyed.GetAsync("/api/jobs");
        await ApiCluster.AssertProblem(missing, HttpStatusCode.Unauthorized);
        Assert.Contains(missing.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey" && h.Parameter == "header=\"X-Api-Key\"");

        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await keyed.GetAsync("/health/live");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            var problem = await ApiCluster.AssertProblem(limited, HttpStatusCode.TooManyRequests);
            Assert.StartsWith("https://", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_over_long_request_line_or_header_block_gets_a_problem_from_Kestrel_hosts()
    {
        var (_, http) = await api.StartKestrelApiAsync(new Dictionary<string, string?> { ["OrleansCompute:Api:RateLimitPerSecond"] = "0" });
        using var client = http;

        using (var longUrl = await http.GetAsync("/api/jobs?limit=" + new string('1', 12_000)))
        {
            await ApiCluster.AssertProblem(longUrl, HttpStatusCode.RequestUriTooLong, "request line");
        }

        using (var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/health/live"))
        {
            bigHeaders.Headers.Add("X-Filler", new string('h', 40_000));
            using var response = await http.SendAsync(bigHeaders);
            await ApiCluster.AssertProblem(response, HttpStatusCode.RequestHeaderFieldsTooLarge, "header");
        }

        using (var manyHeaders = new HttpRequestMessage(HttpMethod.Get, "/health/live"))
        {
            for (var i = 0; i < 150; i++)
            {
                manyHeaders.Headers.Add($"X-Filler-{i}", "v");
            }

            using var response = await http.SendAsync(manyHeaders);
            await ApiCluster.AssertProblem(response, HttpStatusCode.RequestHeaderFieldsTooLarge, "header");
        }

        // Within the limits, all is as before.
        using var fine = await http.GetAsync("/api/jobs?limit=5");
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    /// <summary>A URL for a route pattern: route values filled with a harmless name.</summary>
    private static string Url(string pattern)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(pattern.Replace("{documentName}", "v1", StringComparison.Ordinal), "{[^}]*}", "none");
        return text.StartsWith('/') ? text : "/" + text;
    }

    private static ByteArrayContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }
}
