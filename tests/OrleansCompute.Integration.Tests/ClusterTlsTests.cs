using Microsoft.Extensions.Configuration;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Security;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Integration.Tests;

/// <summary>
/// Mutual TLS between nodes (<c>OrleansCompute:Tls</c>) with real silo processes, a real redis-server and certificates
/// made at test time: nodes holding a certificate of the cluster's CA (or a pinned one) form a cluster and call grains;
/// a silo or client without one can neither join, nor call a grain, nor get a healthy silo declared dead — also when the
/// healthy cluster is a single silo (a rogue node on the same Redis used to vote it dead).
/// </summary>
[Collection("integration")]
public sealed class ClusterTlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Nodes_with_certificates_of_the_cluster_CA_or_pinned_ones_form_a_cluster_and_call_grains()
    {
        using var ca = TestCertificates.Create("cluster");
        var silo1Cert = ca.Issue("silo1");
        var silo2Cert = ca.Issue("silo2");
        var clientCert = ca.Issue("client");
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "tls-" + Guid.NewGuid().ToString("N")[..6];
        // silo1 trusts the CA; silo2 trusts exactly silo1's and the client's certificates (pins, no CA).
        await using var silo1 = await StartSilo("silo1", redis, clusterId, silo1Cert.Arguments(ca.CaPath));
        await using var silo2 = await StartSilo("silo2", redis, clusterId, silo2Cert.Arguments(null, silo1Cert.Sha256, clientCert.Sha256));
        await using var client = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId,
            tls: Tls(clientCert, ca.CaPath));

        await WaitUntil(async () => (await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId)).Count(r => r.IsActive) == 2,
            TimeSpan.FromSeconds(60), "two active silos");
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i + 1, await client.GetGrain<ICounterGrain>($"tls-{i}").Add(i + 1));
        }

        Assert.Contains("mutual TLS as 'CN=silo1'", silo1.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Refused a TLS peer", silo1.Output + silo2.Output, StringComparison.Ordinal);
    }

    public static TheoryData<string> Rogues => ["a certificate of another CA", "plain TCP"];

    [Theory]
    [MemberData(nameof(Rogues))]
    public async Task A_rogue_silo_cannot_join_a_single_silo_cluster_nor_get_it_declared_dead(string rogue)
    {
        using var ca = TestCertificates.Create("cluster");
        using var otherCa = TestCertificates.Create("rogue");
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "tls-" + Guid.NewGuid().ToString("N")[..6];
        await using var healthy = await StartSilo("healthy", redis, clusterId, ca.Issue("healthy").Arguments(ca.CaPath));
        var clientCert = ca.Issue("client");
        await using (var client = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId, tls: Tls(clientCert, ca.CaPath)))
        {
            Assert.Equal(7, await client.GetGrain<ICounterGrain>("acknowledged").Add(7));
        }

        var healthyRow = (await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId)).Single(r => r.IsActive);

        // The rogue is on the same Redis and cluster id; it even trusts our CA (so our certificate is fine to it).
        var rogueArguments = rogue == "plain TCP" ? [] : otherCa.Issue("rogue").Arguments(ca.CaPath);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartSilo("rogue", redis, clusterId, rogueArguments));
        output.WriteLine($"rogue ({rogue}) did not start: "
            + string.Join("\n", refused.Message.Split('\n').Where(l => l.Contains("Exception:", StringComparison.Ordinal)).Take(3)));

        // The rogue process is gone (it could not reach the healthy silo, so Orleans stopped it at join). The healthy
        // silo is still the only active member, still running, and serves the acknowledged state.
        var rows = await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId);
        output.WriteLine(string.Join("\n", rows.Select(r => $"{r.SiloName} {r.Address} {r.Status} suspicions: {string.Join(", ", r.Suspicions)}")));
        Assert.False(healthy.HasExited, $"the healthy silo exited:\n{Tail(healthy.Output)}");
        Assert.Equal("Active", rows.Single(r => r.Address == healthyRow.Address).Status);
        Assert.DoesNotContain(rows, r => r.Address != healthyRow.Address && r.IsActive);
        await using (var client = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId, tls: Tls(clientCert, ca.CaPath)))
        {
            Assert.Equal(7, await client.GetGrain<ICounterGrain>("acknowledged").Get());
        }

        if (rogue != "plain TCP")
        {
            Assert.Contains("Refused a TLS peer: certificate 'CN=rogue'", healthy.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_client_without_a_trusted_certificate_cannot_call_a_grain()
    {
        using var ca = TestCertificates.Create("cluster");
        using var otherCa = TestCertificates.Create("rogue");
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "tls-" + Guid.NewGuid().ToString("N")[..6];
        await using var silo = await StartSilo("silo", redis, clusterId, ca.Issue("silo").Arguments(ca.CaPath));

        // A certificate of another CA (the client trusts our CA, so only the silo's check stands in the way), and no TLS.
        var untrusted = Tls(otherCa.Issue("intruder"), ca.CaPath);
        foreach (var tls in new[] { untrusted, null })
        {
            var outcome = await TryCall(redis.ConnectionString, clusterId, tls);
            output.WriteLine($"{(tls is null ? "plain TCP" : "untrusted certificate")}: {outcome}");
            Assert.NotEqual("answered", outcome);
        }

        // The same silo still serves a trusted client.
        Assert.Equal("answered", await TryCall(redis.ConnectionString, clusterId, Tls(ca.Issue("client"), ca.CaPath)));
    }

    [Fact]
    public void Unusable_TLS_settings_are_refused_with_the_setting_named()
    {
        using var ca = TestCertificates.Create("cluster");
        var node = ca.Issue("node");
        string? Check(params (string Key, string Value)[] settings) => ClusterTls.Validate(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"OrleansCompute:Tls:{s.Key}", s.Value)))
            .Build());

        Assert.Null(Check(("Enabled", "false"), ("CertificatePath", "/nowhere.pem")));
        Assert.Null(Check(("Enabled", "true"), ("CertificatePath", node.CertificatePath), ("KeyPath", node.KeyPath), ("CaPath", ca.CaPath)));
        Assert.Contains("no certificate is configured", Check(("Enabled", "true"), ("CaPath", ca.CaPath)));
        Assert.Contains("CertificatePath: no such file", Check(("Enabled", "true"), ("CertificatePath", "/nowhere.pem"), ("CaPath", ca.CaPath)));
        Assert.Contains("has no private key", Check(("Enabled", "true"), ("CertificatePath", node.CertificatePath), ("CaPath", ca.CaPath)));
        Assert.Contains("say whom to trust", Check(("Enabled", "true"), ("CertificatePath", node.CertificatePath), ("KeyPath", node.KeyPath)));
        Assert.Contains("is not a SHA-256 fingerprint", Check(("Enabled", "true"), ("CertificatePath", node.CertificatePath), ("KeyPath", node.KeyPath),
            ("PinnedCertificates:0", "abc")));
        Assert.Contains("holds no certificate", Check(("Enabled", "true"), ("CertificatePath", node.CertificatePath), ("KeyPath", node.KeyPath),
            ("CaPath", node.KeyPath)));
    }

    [Fact]
    public void Trust_is_the_cluster_CA_or_a_pin_and_nothing_else()
    {
        using var ca = TestCertificates.Create("cluster");
        using var other = TestCertificates.Create("other");
        using var mine = Load(ca.Issue("mine"));
        using var foreign = Load(other.Issue("foreign"));
        using var expired = Load(ca.Issue("expired", DateTimeOffset.UtcNow.AddDays(-3), TimeSpan.FromDays(1)));
        var byCa = new ClusterTrust([ca.Authority], []);
        var byPin = new ClusterTrust([], [ClusterTrust.Fingerprint(foreign).ToLowerInvariant()]);

        Assert.Null(byCa.Check(mine));
        Assert.Contains("does not chain to the cluster's CA", byCa.Check(foreign));
        Assert.Contains("valid only from", byCa.Check(expired));
        Assert.Null(byPin.Check(foreign));
        Assert.Contains("not one of the pinned certificates", byPin.Check(mine));
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Load(NodeCertificate node) =>
        System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(node.CertificatePath, node.KeyPath);

    private static ClusterTlsOptions Tls(NodeCertificate certificate, string caPath) => new()
    {
        Enabled = true,
        CertificatePath = certificate.CertificatePath,
        KeyPath = certificate.KeyPath,
        CaPath = caPath,
    };

    /// <summary>"answered", or how the attempt failed (connect or call), each bounded.</summary>
    private static async Task<string> TryCall(string redis, string clusterId, ClusterTlsOptions? tls)
    {
        SiloClusterClient client;
        try
        {
            client = await SiloClusterClient.ConnectAsync(redis, clusterId, TimeSpan.FromSeconds(5), tls: tls, connectTimeout: TimeSpan.FromSeconds(6));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"could not connect: {ex.GetType().Name}: {ex.Message}";
        }

        await using (client)
        {
            try
            {
                await client.GetGrain<ICounterGrain>("probe").Add(1).WaitAsync(TimeSpan.FromSeconds(15));
                return "answered";
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return $"call failed: {ex.GetType().Name}: {ex.Message}";
            }
        }
    }

    private static Task<SiloProcess> StartSilo(string name, RedisServer redis, string clusterId, IEnumerable<string> tls) =>
        SiloProcess.StartAsync(new SiloProcessOptions
        {
            Name = name,
            Redis = redis.ConnectionString,
            ClusterId = clusterId,
            ExtraArguments = [.. tls],
        });

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"not within {limit}: {what}");
            }

            await Task.Delay(200);
        }
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];
}

/// <summary>
/// Redis is a trust boundary (it holds the membership table): silos and clients reach a password-protected, TLS-only
/// redis-server with StackExchange.Redis's own options (<c>password=…,ssl=true</c>) and <c>OrleansCompute:Redis:CaPath</c>.
/// </summary>
[Collection("integration")]
public sealed class RedisSecurityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Silos_form_a_cluster_on_a_password_protected_TLS_only_redis_server_and_a_wrong_password_is_refused()
    {
        using var ca = TestCertificates.Create("redis");
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions
        {
            Password = password,
            TlsCertificate = ca.Issue("redis"),
            TlsCaPath = ca.CaPath,
        });
        Assert.Contains(",ssl=true", redis.ConnectionString, StringComparison.Ordinal);
        var clusterId = "rs-" + Guid.NewGuid().ToString("N")[..6];
        string[] trustRedis = [$"--OrleansCompute:Redis:CaPath={ca.CaPath}"];
        await using var silo1 = await Start("silo1", redis.ConnectionString, clusterId, trustRedis);
        await using var silo2 = await Start("silo2", redis.ConnectionString, clusterId, trustRedis);
        await using (var client = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId, redisCaPath: ca.CaPath))
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(3, await client.GetGrain<ICounterGrain>($"secure-{i}").Add(3));
            }
        }

        var rows = await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId, redisCaPath: ca.CaPath);
        Assert.Equal(2, rows.Count(r => r.IsActive));
        Assert.DoesNotContain(password, silo1.Output + silo2.Output, StringComparison.Ordinal);

        // The wrong password, and the right one without trusting the server's CA: the silo does not start, and says why.
        var wrongPassword = redis.ConnectionString.Replace(password, "not-the-password", StringComparison.Ordinal);
        foreach (var (what, connection, arguments) in new[] { ("wrong password", wrongPassword, trustRedis), ("untrusted server certificate", redis.ConnectionString, []) })
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Start("refused", connection, clusterId, arguments));
            output.WriteLine($"{what}: {string.Join(" | ", refused.Message.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase)).Take(3))}");
            Assert.DoesNotContain(password, refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, (await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId, redisCaPath: ca.CaPath)).Count(r => r.IsActive));
    }

    private static Task<SiloProcess> Start(string name, string redis, string clusterId, IEnumerable<string> arguments) =>
        SiloProcess.StartAsync(new SiloProcessOptions { Name = name, Redis = redis, ClusterId = clusterId, ExtraArguments = [.. arguments] });
}
