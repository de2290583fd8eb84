using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansCompute.Security;
using StackExchange.Redis;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// An Orleans client (<c>UseOrleansClient</c>) of silo processes (<see cref="SiloProcess"/>) clustered through Redis, or
/// through fixed gateways; and the cluster's membership rows read straight from Redis.
/// </summary>
public sealed class SiloClusterClient : IAsyncDisposable
{
    /// <summary>The silo host's default <c>OrleansCompute:Silo:ServiceId</c>.</summary>
    public const string DefaultServiceId = "orleanscompute";

    private readonly IHost _host;

    private SiloClusterClient(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Client { get; }

    /// <summary>Connects through the gateways listed in the Redis membership table of <paramref name="clusterId"/>.</summary>
    /// <remarks>
    /// <paramref name="tls"/>: the product's mutual TLS settings (<c>OrleansCompute:Tls</c>) for a cluster that requires
    /// it; <paramref name="connectTimeout"/> bounds the wait for a gateway (default 30 s).
    /// </remarks>
    public static Task<SiloClusterClient> ConnectAsync(string redis, string clusterId, TimeSpan? responseTimeout = null, string serviceId = DefaultServiceId,
        ClusterTlsOptions? tls = null, TimeSpan? connectTimeout = null, string? redisCaPath = null) =>
        ConnectAsync(clusterId, serviceId, responseTimeout, client =>
        {
            client.UseRedisClustering(o =>
            {
                o.ConfigurationOptions = ConfigurationOptions.Parse(redis);
                o.ConfigurationOptions.AbortOnConnectFail = false;
                if (redisCaPath is not null)
                {
                    o.ConfigurationOptions.TrustIssuer(redisCaPath);
                }
            });
            if (tls is not null)
            {
                client.UseClusterTls(tls);
            }
        }, connectTimeout);

    /// <summary>Connects through fixed gateways (<c>address:port</c>), e.g. to reach a silo over a side link.</summary>
    public static Task<SiloClusterClient> ConnectToGatewaysAsync(IEnumerable<string> gateways, string clusterId, TimeSpan? responseTimeout = null,
        string serviceId = DefaultServiceId)
    {
        var endpoints = gateways.Select(IPEndPoint.Parse).ToArray();
        return ConnectAsync(clusterId, serviceId, responseTimeout, client => client.UseStaticClustering(endpoints), null);
    }

    private static async Task<SiloClusterClient> ConnectAsync(string clusterId, string serviceId, TimeSpan? responseTimeout, Action<IClientBuilder> clustering,
        TimeSpan? connectTimeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            clustering(client);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            client.UseFastGatewayFailover(); // the product's client half of the failover profile, as the API host's
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout ?? TimeSpan.FromSeconds(10));
        });
        var host = builder.Build();
        try
        {
            using var timeout = new CancellationTokenSource(connectTimeout ?? TimeSpan.FromSeconds(30));
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
            return new SiloClusterClient(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping a client whose cluster is gone may not finish: dispose anyway.
        }

        _host.Dispose();
    }

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey => Client.GetGrain<TGrain>(key);

    public TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey => Client.GetGrain<TGrain>(key);

    /// <summary>The membership rows of <paramref name="clusterId"/>, read from the Redis hash Orleans's Redis clustering keeps.</summary>
    public static async Task<IReadOnlyList<MembershipRow>> ReadMembershipAsync(string redis, string clusterId, string serviceId = DefaultServiceId,
        string? redisCaPath = null)
    {
        var options = ConfigurationOptions.Parse(redis);
        if (redisCaPath is not null)
        {
            options.TrustIssuer(redisCaPath);
        }

        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 2000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        var entries = await connection.GetDatabase().HashGetAllAsync($"{serviceId}/members/{clusterId}").ConfigureAwait(false);
        var rows = new List<MembershipRow>();
        foreach (var entry in entries)
        {
            if (entry.Name == "Version" || !entry.Value.HasValue)
            {
                continue;
            }

            rows.Add(MembershipRow.Parse(entry.Value.ToString()));
        }

        return rows;
    }
}

/// <summary>
/// One silo's membership row: its address (<c>ip:port@generation</c>), name and status, and the suspicions other silos
/// wrote into it (Orleans's <c>SuspectTimes</c>: suspecting silo and time; kept until they expire).
/// </summary>
public sealed record MembershipRow(string Address, string Endpoint, int Generation, string SiloName, string Status)
{
    /// <summary>The row's suspicions as "suspecter@time" strings.</summary>
    public IReadOnlyList<string> Suspicions { get; init; } = [];

    public bool IsActive => Status == "Active";

    public bool IsDead => Status == "Dead";

    internal static MembershipRow Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var silo = root.GetProperty("SiloAddress");
        var address = (silo.ValueKind == JsonValueKind.Object ? silo.GetProperty("SiloAddress").GetString() : silo.GetString()) ?? "";
        var at = address.LastIndexOf('@');
        var endpoint = at < 0 ? address : address[..at];
        var generation = at < 0 ? 0 : int.Parse(address[(at + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture);
        var status = root.GetProperty(nameof(Status));
        var name = status.ValueKind == JsonValueKind.Number ? StatusName(status.GetInt32()) : status.GetString() ?? "";
        var suspicions = new List<string>();
        if (root.TryGetProperty("SuspectTimes", out var suspects) && suspects.ValueKind == JsonValueKind.Array)
        {
            foreach (var suspect in suspects.EnumerateArray())
            {
                suspicions.Add(suspect.ValueKind == JsonValueKind.Object && suspect.TryGetProperty("Item1", out var by) && suspect.TryGetProperty("Item2", out var when)
                    ? $"{(by.ValueKind == JsonValueKind.String ? by.GetString() : by.ValueKind == JsonValueKind.Object && by.TryGetProperty("SiloAddress", out var a) ? a.ToString() : by.ToString())}@{when}"
                    : suspect.ToString());
            }
        }

        return new MembershipRow(address, endpoint, generation, root.TryGetProperty(nameof(SiloName), out var n) ? n.GetString() ?? "" : "", name)
        {
            Suspicions = suspicions,
        };
    }

    private static string StatusName(int status) => status switch
    {
        0 => "None",
        1 => "Created",
        2 => "Joining",
        3 => "Active",
        4 => "ShuttingDown",
        5 => "Stopping",
        6 => "Dead",
        _ => status.ToString(CultureInfo.InvariantCulture),
    };
}
