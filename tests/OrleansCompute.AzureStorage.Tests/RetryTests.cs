using System.Net;
using System.Net.Sockets;
using OrleansCompute.Blobs;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>Which failures the Blob client retries (with backoff, bounded) and which it reports at once.</summary>
public sealed class RetryTests
{
    private static readonly BlobRetryOptions s_fast = new() { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(40) };

    [Fact]
    public async Task Two_503_answers_are_retried_and_the_third_attempt_succeeds()
    {
        await using var server = new ScriptedHttpServer((503, "ServerBusy"), (503, "ServerBusy"), (201, null));
        using var client = new BlobRestClient(BlobConnectionString.Parse(server.ConnectionString), s_fast);

        var etag = await client.PutBlobAsync("box", "a/b", new byte[] { 1, 2, 3 });

        Assert.Equal("\"0x1\"", etag);
        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.StartsWith("PUT /devstoreaccount1/box/a/b HTTP/1.1", r, StringComparison.Ordinal));
        // Every attempt is signed afresh.
        Assert.All(server.Requests, r => Assert.Contains("Authorization: SharedKey devstoreaccount1:", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_500_that_persists_gives_up_after_max_attempts_naming_status_and_code()
    {
        await using var server = new ScriptedHttpServer((500, "InternalError"));
        using var client = new BlobRestClient(BlobConnectionString.Parse(server.ConnectionString), s_fast);

        var error = await Assert.ThrowsAsync<BlobRequestException>(() => client.GetBlobAsync("box", "x"));

        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Equal("InternalError", error.ErrorCode);
        Assert.Contains("500 InternalError", error.Message, StringComparison.Ordinal);
        Assert.Contains("gave up after 4 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_403_is_reported_at_once_with_the_service_error_code_and_no_key()
    {
        await using var server = new ScriptedHttpServer((403, "AuthenticationFailed"));
        using var client = new BlobRestClient(BlobConnectionString.Parse(server.ConnectionString), s_fast);

        var error = await Assert.ThrowsAsync<BlobRequestException>(() => client.CreateContainerIfNotExistsAsync("box"));

        Assert.Single(server.Requests);
        Assert.True(error.IsAuthorizationFailure);
        Assert.Equal("AuthenticationFailed", error.ErrorCode);
        Assert.Contains("403 AuthenticationFailed", error.Message, StringComparison.Ordinal);
        Assert.Contains("check AccountName and AccountKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripted AuthenticationFailed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Testing.Servers.AzuriteServer.AccountKey, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(412, "ConditionNotMet")]
    [InlineData(409, "BlobAlreadyExists")]
    [InlineData(400, "InvalidHeaderValue")]
    public async Task Client_errors_are_not_retried(int status, string code)
    {
        await using var server = new ScriptedHttpServer((status, code));
        using var client = new BlobRestClient(BlobConnectionString.Parse(server.ConnectionString), s_fast);

        var error = await Assert.ThrowsAsync<BlobRequestException>(() => client.PutBlobAsync("box", "x", new byte[] { 1 }, ifMatch: "\"0x0\""));

        Assert.Single(server.Requests);
        Assert.Equal((HttpStatusCode)status, error.Status);
        Assert.Equal(code, error.ErrorCode);
    }

    [Fact]
    public async Task Connection_refused_is_retried_then_reported_with_the_socket_error()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var attempts = 0;
        var account = BlobConnectionString.Parse($"AccountName=devstoreaccount1;AccountKey={Testing.Servers.AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1");
        using var client = new BlobRestClient(account, s_fast, clock: () => { attempts++; return DateTimeOffset.UtcNow; });

        var error = await Assert.ThrowsAsync<BlobRequestException>(() => client.GetBlobAsync("box", "x"));

        Assert.Equal(4, attempts);
        Assert.Null(error.Status);
        Assert.Contains("ConnectionRefused", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 4 attempt(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synchronous_range_reads_retry_too()
    {
        await using var server = new ScriptedHttpServer((503, "ServerBusy"), (206, null));
        using var client = new BlobRestClient(BlobConnectionString.Parse(server.ConnectionString), s_fast);

        var read = client.ReadRange("box", "x", 10, new byte[8]);

        Assert.Equal(0, read); // the scripted 206 has an empty body
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Contains("x-ms-range: bytes=10-17", r, StringComparison.Ordinal));
    }

    [Fact]
    public void Backoff_doubles_and_is_bounded()
    {
        var options = new BlobRetryOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) };

        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(options.DelayBefore(1).TotalMilliseconds, 80, 120);
            Assert.InRange(options.DelayBefore(2).TotalMilliseconds, 160, 240);
            Assert.InRange(options.DelayBefore(10).TotalMilliseconds, 400, 500);
        }
    }
}
