using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansCompute.Security;
using StackExchange.Redis;

namespace OrleansCompute.ApiHost;

/// <summary>
/// Maps the standalone API host's settings onto an Orleans cluster client. The keys are the silo's, so one settings
/// file (or one set of environment variables) serves silos and API hosts alike:
/// <list type="bullet">
/// <item><c>OrleansCompute:Silo:ClusterId</c> / <c>ServiceId</c> (defaults <c>dev</c> / <c>orleanscompute</c>, as the silo's);</item>
/// <item><c>OrleansCompute:Clustering:Provider</c>: <c>none</c> (default) finds the gateways of
/// <c>OrleansCompute:Client:Gateways:0…</c> (<c>ip:port</c>), or without any, the embedded silo's gateway on
/// 127.0.0.1:<c>OrleansCompute:Endpoints:GatewayPort</c> (default 30000; Orleans's localhost clustering);
/// <c>redis</c> reads the gateways from the Redis membership table at <c>OrleansCompute:Clustering:ConnectionString</c>.</item>
/// </list>
/// </summary>
internal static class ClientConfiguration
{
    public const string DefaultClusterId = "dev";
    public const string DefaultServiceId = "orleanscompute";
    public const int DefaultGatewayPort = 30000;

    private static readonly string[] s_providers = ["none", "redis"];

    /// <summary>Null when the settings are usable, else a message naming the setting.</summary>
    public static string? Validate(IConfiguration configuration)
    {
        if (!string.IsNullOrEmpty(configuration["OrleansCompute:Silo:ClusterSecret"]))
        {
            return "OrleansCompute:Silo:ClusterSecret is no longer supported: the cluster runs on Microsoft Orleans, whose nodes and clients are "
                + "authenticated with mutual TLS instead. Remove the setting and configure OrleansCompute:Tls (see the README's Security section).";
        }

        if ((ClusterTls.Validate(configuration) ?? RedisConnections.Validate(configuration)) is { } security)
        {
            return security;
        }

        var provider = Provider(configuration);
        if (!s_providers.Contains(provider, StringComparer.OrdinalIgnoreCase))
        {
            return $"OrleansCompute:Clustering:Provider must be one of {string.Join(", ", s_providers)} (was '{provider}').";
        }

        if (IsRedis(provider))
        {
            var redis = configuration["OrleansCompute:Clustering:ConnectionString"];
            if (string.IsNullOrWhiteSpace(redis))
            {
                return "OrleansCompute:Clustering:ConnectionString must name the Redis server of the silos' membership table (e.g. 127.0.0.1:6379) when the clustering provider is redis.";
            }

            if (RedisConnections.Parse(redis) is null)
            {
                return "OrleansCompute:Clustering:ConnectionString is not a valid StackExchange.Redis configuration (e.g. 127.0.0.1:6379,password=…).";
            }

            return Gateways(configuration).Count > 0
                ? "OrleansCompute:Client:Gateways lists fixed gateways, but the clustering provider is redis (gateways come from the membership table): set one or the other."
                : null;
        }

        foreach (var gateway in Gateways(configuration))
        {
            if (!IPEndPoint.TryParse(gateway, out var endpoint) || endpoint.Port == 0)
            {
                return $"OrleansCompute:Client:Gateways has '{gateway}', which is not ip:port (e.g. 10.0.0.5:30000).";
            }
        }

        var port = configuration.GetValue("OrleansCompute:Endpoints:GatewayPort", DefaultGatewayPort);
        return port is < 1 or > 65535 ? $"OrleansCompute:Endpoints:GatewayPort must be the silo's gateway port (1–65535; was {port})." : null;
    }

    /// <summary>Configures <paramref name="client"/> from <paramref name="configuration"/> (validated first with <see cref="Validate"/>).</summary>
    public static void Configure(IClientBuilder client, IConfiguration configuration)
    {
        var clusterId = ClusterId(configuration);
        var serviceId = ServiceId(configuration);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        if (ClusterTls.Read(configuration) is { } tls)
        {
            client.UseClusterTls(tls); // mutual TLS to the gateways (OrleansCompute:Tls), as the silos require when it is on
        }

        if (IsRedis(Provider(configuration)))
        {
            var redis = RedisConnections.Parse(configuration["OrleansCompute:Clustering:ConnectionString"]!, configuration);
            client.UseRedisClustering(o => o.ConfigurationOptions = redis);
        }
        else if (Gateways(configuration) is { Count: > 0 } gateways)
        {
            client.UseStaticClustering([.. gateways.Select(IPEndPoint.Parse)]);
        }
        else
        {
            client.UseLocalhostClustering(configuration.GetValue("OrleansCompute:Endpoints:GatewayPort", DefaultGatewayPort), serviceId, clusterId);
        }

        // The client half of the failover profile: the gateway list re-read every 0.5 s, attempts to a gateway that left
        // it (its silo declared dead) ended at once, so calls move to a live gateway (README, "Failure detection profile").
        client.UseFastGatewayFailover();
    }

    /// <summary>Where the client looks for gateways, for logs (a Redis password is shown as <c>***</c>).</summary>
    public static string Describe(IConfiguration configuration)
    {
        var cluster = $"cluster '{ClusterId(configuration)}' (service '{ServiceId(configuration)}')";
        if (IsRedis(Provider(configuration)))
        {
            var redis = OrleansCompute.Api.Security.SecretRedactor.RedactConnectionString(configuration["OrleansCompute:Clustering:ConnectionString"]!);
            return $"{cluster} through the Redis membership table at {redis}";
        }

        return Gateways(configuration) is { Count: > 0 } gateways
            ? $"{cluster} through the gateway(s) {string.Join(", ", gateways)}"
            : $"{cluster} through the gateway at 127.0.0.1:{configuration.GetValue("OrleansCompute:Endpoints:GatewayPort", DefaultGatewayPort)}";
    }

    private static string Provider(IConfiguration configuration) => configuration["OrleansCompute:Clustering:Provider"] is { Length: > 0 } p ? p : "none";

    private static string ClusterId(IConfiguration configuration) => configuration["OrleansCompute:Silo:ClusterId"] is { Length: > 0 } id ? id : DefaultClusterId;

    private static string ServiceId(IConfiguration configuration) => configuration["OrleansCompute:Silo:ServiceId"] is { Length: > 0 } id ? id : DefaultServiceId;

    private static List<string> Gateways(IConfiguration configuration) =>
        [.. (configuration.GetSection("OrleansCompute:Client:Gateways").Get<List<string>>() ?? []).Where(g => !string.IsNullOrWhiteSpace(g)).Select(g => g.Trim())];

    private static bool IsRedis(string provider) => string.Equals(provider, "redis", StringComparison.OrdinalIgnoreCase);

}
