using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// The two rate-limit bypasses of issue 16 and what replaced them: buckets per validated key or per remote address (never the
/// raw <c>X-Api-Key</c> header), and wrong keys limited per address. Requests go through the API's real pipeline (a
/// standalone API instance over the test cluster) with the remote address set per request.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RateLimitTests(ApiCluster api)
{
    private const string OtherKey = "other-key-abcdefghijklmnop";

    [Fact]
    public async Task A_rotating_api_key_header_gets_no_more_through_than_a_fixed_one()
    {
        // No keys configured (a loopback API): the header is not a credential, so it must not choose the bucket either.
        var settings = new Dictionary<string, string?> { ["OrleansCompute:Api:RateLimitPerSecond"] = "1", ["OrleansCompute:Api:RateLimitBurst"] = "5" };
        var rotating = await CountThroughAsync(await api.StartApiAppAsync(settings), _ => Guid.NewGuid().ToString("N"));
        var fixedKey = await CountThroughAsync(await api.StartApiAppAsync(settings), _ => "the-same-made-up-key");

        Assert.True(rotating.Through <= 5 + rotating.Seconds + 1, $"{rotating.Through} of 30 requests with a new X-Api-Key each got through in {rotating.Seconds} s at 1/s, burst 5");
        Assert.True(fixedKey.Through <= 5 + fixedKey.Seconds + 1, $"{fixedKey.Through} of 30 with one X-Api-Key got through");
        Assert.True(rotating.Through <= fixedKey.Through + rotating.Seconds + 1, $"rotating {rotating.Through}, fixed {fixedKey.Through}");
        var refused = JsonDocument.Parse(rotating.LastRefusal!).RootElement;
        Assert.Equal(429, refused.GetProperty("status").GetInt32());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", refused.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Wrong_keys_get_429_with_retry_after_after_a_small_burst_per_address_whatever_the_key()
    {
        var app = await api.StartApiAppAsync(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:ApiKeys:0"] = ApiCluster.Key,
            ["OrleansCompute:Api:RateLimitPerSecond"] = "0",   // only the wrong-key limit is under test
            ["OrleansCompute:Api:AuthFailuresPerMinute"] = "6", // after the burst of 10: one more every 10 s
        });
        var server = app.GetTestServer();

        // 50 guesses from one address: the default burst of 10 is answered 401, every later guess 429.
        var statuses = new List<int>();
        HttpContext? refused = null;
        for (var i = 0; i < 50; i++)
        {
            var response = await SendAsync(server, "10.0.0.1", "guess-" + Guid.NewGuid().ToString("N"));
            statuses.Add(response.Response.StatusCode);
            refused ??= response.Response.StatusCode == 429 ? response : null;
        }

        Assert.True(statuses.Take(10).All(s => s == 401), string.Join(",", statuses));
        Assert.InRange(statuses.Count(s => s == 401), 10, 11); // a token may refill if the loop takes 10 s
        Assert.Equal(50, statuses.Count(s => s is 401 or 429));
        Assert.NotNull(refused);
        var retryAfter = int.Parse(refused.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 10);
        Assert.Equal("application/problem+json", refused.Response.ContentType?.Split(';')[0]);
        var problem = JsonDocument.Parse(await new StreamReader(refused.Response.Body).ReadToEndAsync()).RootElement;
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem.GetProperty("type").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains("AuthFailureBurst", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // While the address is over its budget, the right key gets the same 429 (a guess cannot tell right from wrong);
        // a request without a key guesses nothing and is still a plain 401. (After a few of the limiter's 100 ms ticks, so a
        // refilled fraction of a failure does not count as one.)
        await Task.Delay(300);
        Assert.Equal(429, (await SendAsync(server, "10.0.0.1", ApiCluster.Key)).Response.StatusCode);
        Assert.Equal(401, (await SendAsync(server, "10.0.0.1", null)).Response.StatusCode);

        // Other addresses are not affected: the right key works, a wrong one is a 401.
        Assert.Equal(200, (await SendAsync(server, "10.0.0.2", ApiCluster.Key)).Response.StatusCode);
        Assert.Equal(401, (await SendAsync(server, "10.0.0.2", "wrong-key-0123456789")).Response.StatusCode);

        // An IPv6 host owns its /64: rotating through addresses in it shares one budget.
        for (var i = 1; i <= 10; i++)
        {
            Assert.Equal(401, (await SendAsync(server, $"2001:db8:1:2::{i:x}", "wrong-key-0123456789")).Response.StatusCode);
        }

        Assert.Equal(429, (await SendAsync(server, "2001:db8:1:2::ff", "wrong-key-0123456789")).Response.StatusCode);
        Assert.Equal(401, (await SendAsync(server, "2001:db8:1:3::1", "wrong-key-0123456789")).Response.StatusCode);

        // The budget refills: once Retry-After has passed, the right key gets in from the locked-out address.
        await ApiCluster.WaitAsync(async () => (await SendAsync(server, "10.0.0.1", ApiCluster.Key)).Response.StatusCode == 200,
            TimeSpan.FromSeconds(30), "the locked-out address to be let in again with the right key");
    }

    [Fact]
    public async Task A_valid_key_has_one_bucket_from_every_address_and_other_requests_one_per_address()
    {
        var app = await api.StartApiAppAsync(new Dictionary<string, string?>
        {
            ["OrleansCompute:Api:ApiKeys:0"] = ApiCluster.Key,
            ["OrleansCompute:Api:ApiKeys:1"] = OtherKey,
            ["OrleansCompute:Api:RateLimitPerSecond"] = "1",
            ["OrleansCompute:Api:RateLimitBurst"] = "3",
        });
        var server = app.GetTestServer();

        // One key from two addresses: one bucket of 3 (+1 a second).
        var watch = Stopwatch.StartNew();
        var through = 0;
        for (var i = 0; i < 12; i++)
        {
            through += (await SendAsync(server, i % 2 == 0 ? "10.0.0.1" : "10.0.0.2", ApiCluster.Key)).Response.StatusCode == 200 ? 1 : 0;
        }

        Assert.InRange(through, 3, 3 + (int)Math.Ceiling(watch.Elapsed.TotalSeconds));

        // Another key has its own bucket.
        Assert.Equal(200, (await SendAsync(server, "10.0.0.1", OtherKey)).Response.StatusCode);

        // Requests that carry no validated key (the open health probe) are counted per address.
        watch.Restart();
        through = 0;
        for (var i = 0; i < 8; i++)
        {
            through += (await SendAsync(server, "10.0.0.3", null, "/health/live")).Response.StatusCode == 200 ? 1 : 0;
        }

        Assert.InRange(through, 3, 3 + (int)Math.Ceiling(watch.Elapsed.TotalSeconds));
        Assert.Equal(200, (await SendAsync(server, "10.0.0.4", null, "/health/live")).Response.StatusCode);
    }

    private static async Task<(int Through, int Seconds, string? LastRefusal)> CountThroughAsync(WebApplication app, Func<int, string> key)
    {
        var server = app.GetTestServer();
        var watch = Stopwatch.StartNew();
        var through = 0;
        string? refusal = null;
        for (var i = 0; i < 30; i++)
        {
            var context = await SendAsync(server, "10.0.0.9", key(i));
            if (context.Response.StatusCode == 429)
            {
                refusal = await new StreamReader(context.Response.Body).ReadToEndAsync();
            }
            else
            {
                Assert.Equal(200, context.Response.StatusCode);
                through++;
            }
        }

        return (through, (int)Math.Ceiling(watch.Elapsed.TotalSeconds), refusal);
    }

    private static Task<HttpContext> SendAsync(TestServer server, string address, string? key, string path = "/api/jobs") =>
        server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Request.QueryString = path == "/api/jobs" ? new QueryString("?limit=1") : default;
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            if (key is not null)
            {
                context.Request.Headers["X-Api-Key"] = key;
            }
        });
}
