using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Integration.Tests;

/// <summary>
/// Secrets never reach a log line, an API answer or the dashboard. Real processes with every kind of secret configured: a
/// redis-server that requires a password (clustering; the silo's connection string written with spaces, as
/// StackExchange.Redis accepts it), Azurite with its account key (grain state) and a SAS token (job inputs), an API key, and
/// mutual TLS between the nodes with password-protected PKCS#12 certificates; every log category at Trace. A silo and a standalone API host serve jobs (one read through the SAS,
/// one failing), a client sends a SAS URL and wrong keys; then every line both processes printed, every API answer the
/// dashboard reads, the dashboard's own files and the OpenAPI document are searched for each secret.
/// </summary>
[Collection("integration")]
public sealed partial class SecretsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    private static readonly string[] s_traceEverything =
    [
        "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Trace", "--Logging:LogLevel:Orleans=Trace", "--Logging:LogLevel:Orleans.Runtime.Silo=Trace",
        "--Logging:LogLevel:Orleans.Runtime.SiloOptionsLogger=Trace", "--Logging:LogLevel:Polly=Trace", "--Logging:LogLevel:OrleansCompute=Trace",
        "--Logging:LogLevel:Azure=Trace",
    ];

    [Fact]
    public async Task Secrets_never_reach_a_log_line_an_api_answer_or_the_dashboard()
    {
        var redisPassword = "redis-pw-" + Guid.NewGuid().ToString("N")[..16];
        var apiKey = "api-key-" + Guid.NewGuid().ToString("N");
        var certificatePassword = "cert-pw-" + Guid.NewGuid().ToString("N")[..16];
        var clientSignature = "client-sig-" + Guid.NewGuid().ToString("N")[..16];
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions { Password = redisPassword });
        await using var azurite = await AzuriteServer.StartAsync();

        // A job input in blob storage, read by the silo with an account SAS (read + list) rather than the key.
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("inputs");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("words.txt").UploadAsync(BinaryData.FromString("to be or not to be\n"), overwrite: true);
        var sas = new AccountSasBuilder(AccountSasPermissions.Read | AccountSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1),
                AccountSasServices.Blobs, AccountSasResourceTypes.All)
            .ToSasQueryParameters(new StorageSharedKeyCredential(AzuriteServer.AccountName, AzuriteServer.AccountKey)).ToString();
        var signature = SignaturePattern().Match(sas).Groups[1].Value;
        Assert.NotEmpty(signature);

        // Mutual TLS between the nodes with password-protected PKCS#12 certificates (OrleansCompute:Tls:CertificatePassword).
        using var ca = TestCertificates.Create("secrets");
        var siloTls = Pkcs12(ca.Issue("secrets-silo"), certificatePassword, ca.CaPath);
        var hostTls = Pkcs12(ca.Issue("secrets-host"), certificatePassword, ca.CaPath);

        string[] secrets = [redisPassword, AzuriteServer.AccountKey, signature, Uri.UnescapeDataString(signature), apiKey, certificatePassword, clientSignature];
        var clusterId = "secrets-" + Guid.NewGuid().ToString("N")[..6];
        var silo = await SiloProcess.StartAsync(new SiloProcessOptions
        {
            Name = "secrets",
            Redis = $"{redis.BindAddress}:{redis.Port}, password = {redisPassword}",
            ClusterId = clusterId,
            ApiPort = 0,
            ExtraArguments =
            [
                "--OrleansCompute:Storage:Provider=azureblob",
                $"--OrleansCompute:Storage:ConnectionString={azurite.ConnectionString}",
                $"--OrleansCompute:Compute:Blob:ConnectionString=BlobEndpoint={azurite.BlobEndpoint};SharedAccessSignature={sas}",
                $"--OrleansCompute:Api:ApiKeys:0={apiKey}",
                .. siloTls,
                .. s_traceEverything,
            ],
        });
        var hostPort = LoopbackPorts.Allocate();
        HostProcess? host = null;
        var answers = new StringBuilder();
        try
        {
            host = HostProcess.Start("api host", HostProcess.ApiHostDll, Path.GetTempPath(),
            [
                "--OrleansCompute:Clustering:Provider=redis", $"--OrleansCompute:Clustering:ConnectionString={redis.ConnectionString}",
                $"--OrleansCompute:Silo:ClusterId={clusterId}", $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{hostPort}",
                $"--OrleansCompute:Api:ApiKeys:0={apiKey}",
                .. hostTls,
                .. s_traceEverything,
            ]);
            using var siloApi = Client(silo.ApiBaseAddress!, apiKey);
            using var hostApi = Client($"http://127.0.0.1:{hostPort}", apiKey);
            await host.WaitForReadyAsync(hostApi, s_timeout);

            foreach (var (name, http) in new[] { ("silo", siloApi), ("api host", hostApi) })
            {
                var job = $"sas-{name.Replace(' ', '-')}";
                await AnswerAsync(answers, http, HttpMethod.Post, "/api/jobs", $$$"""{"id":"{{{job}}}","kind":"word-count","input":{"path":"blob:inputs/words.txt"}}""", HttpStatusCode.Accepted);
                await AnswerAsync(answers, http, HttpMethod.Post, "/api/jobs", """{"kind":"word-count","input":{"path":"blob:inputs/missing.txt"}}""", HttpStatusCode.BadRequest);
                var sasUrl = $"{azurite.BlobEndpoint}/inputs/words.txt?sv=2026-02-06&sp=r&sig={clientSignature}";
                var refused = await AnswerAsync(answers, http, HttpMethod.Post, "/api/jobs", $$$"""{"kind":"word-count","input":{"path":"{{{sasUrl}}}"}}""", HttpStatusCode.BadRequest);
                Assert.Contains("sig=***", refused, StringComparison.Ordinal); // the client's own SAS is not echoed back either

                await WaitForCompletedAsync(http, job);
                Assert.Contains("\"totalWords\":6", await AnswerAsync(answers, http, HttpMethod.Get, $"/api/jobs/{job}/result", null, HttpStatusCode.OK), StringComparison.Ordinal);
                foreach (var path in new[] { "/api/cluster", "/api/jobs", "/api/datasets", "/health/ready", "/openapi/v1.json", "/dashboard", "/dashboard/dashboard.js", "/dashboard/dashboard.css" })
                {
                    await AnswerAsync(answers, http, HttpMethod.Get, path, null, HttpStatusCode.OK);
                }

                using var wrongKey = Client(http.BaseAddress!.ToString(), "wrong-" + apiKey);
                await AnswerAsync(answers, wrongKey, HttpMethod.Get, "/api/cluster", null, HttpStatusCode.Unauthorized);
            }

            // Stop both gracefully (SIGTERM), so their shutdown lines are searched too.
            Assert.Equal(0, await host.TerminateAsync(s_timeout));
            using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", silo.ProcessId.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var exit = new CancellationTokenSource(s_timeout);
            await silo.WaitForExitAsync(exit.Token);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            await silo.DisposeAsync();
        }

        var logs = silo.Output + host.Output;
        output.WriteLine($"searched {logs.Split('\n').Length} log lines and {answers.Length} characters of API answers");
        Assert.Contains("Clustered as", silo.Output, StringComparison.Ordinal);
        Assert.Contains("password =***", silo.Output, StringComparison.Ordinal); // the start-up line still says where Redis is
        Assert.Contains("Connected to", host.Output, StringComparison.Ordinal);
        Assert.True(logs.Split('\n').Length > 200, "Trace logging was expected to print more");
        foreach (var secret in secrets)
        {
            var line = logs.Split('\n').FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(line is null, $"a log line holds a secret: {line}");
            var answer = answers.ToString().Split('\n').FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(answer is null, $"an API answer holds a secret: {answer}");
        }
    }

    /// <summary>The node's certificate and key as one PKCS#12 file protected by <paramref name="password"/>, and the TLS arguments that use it.</summary>
    private static string[] Pkcs12(NodeCertificate node, string password, string caPath)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(node.CertificatePath, node.KeyPath);
        var path = Path.ChangeExtension(node.CertificatePath, ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return ["--OrleansCompute:Tls:Enabled=true", $"--OrleansCompute:Tls:CertificatePath={path}", $"--OrleansCompute:Tls:CertificatePassword={password}",
            $"--OrleansCompute:Tls:CaPath={caPath}"];
    }

    private static HttpClient Client(string baseAddress, string apiKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    }

    /// <summary>Sends a request, checks its status, and adds the status line, headers and body to <paramref name="answers"/>.</summary>
    private static async Task<string> AnswerAsync(StringBuilder answers, HttpClient http, HttpMethod method, string path, string? json, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {http.BaseAddress}{path[1..]}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        answers.AppendLine(CultureInfo.InvariantCulture, $"{method} {path} → {(int)response.StatusCode}").AppendLine(response.Headers.ToString())
            .AppendLine(response.Content.Headers.ToString()).AppendLine(body);
        return body;
    }

    private static async Task WaitForCompletedAsync(HttpClient http, string job)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (true)
        {
            var state = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/jobs/{job}", UriKind.Relative))).RootElement.GetProperty("state").GetString();
            if (state == "completed")
            {
                return;
            }

            Assert.True(state is "queued" or "running", $"job {job} ended {state}");
            Assert.True(DateTime.UtcNow < deadline, $"job {job} did not complete");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex("sig=([^&]+)")]
    private static partial Regex SignaturePattern();
}
