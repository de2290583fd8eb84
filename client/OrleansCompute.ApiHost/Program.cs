using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute;
using OrleansCompute.Api;
using OrleansCompute.ApiHost;
using OrleansCompute.Client;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;
using OrleansCompute.Membership;

// The HTTP API as a standalone cluster client: scales separately from the silos. It finds the silos through the
// Redis membership table (OrleansCompute:Clustering:ConnectionString) and/or fixed gateways
// (OrleansCompute:Client:Gateways:0=127.0.0.1:30001), proves the cluster secret (OrleansCompute:Silo:ClusterSecret)
// and serves the same routes as a co-hosted silo (OrleansCompute:Api:*).
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no line per request
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});

var api = builder.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
var silo = builder.Configuration.GetSection("OrleansCompute:Silo").Get<SiloOptions>() ?? new SiloOptions();
var redis = builder.Configuration["OrleansCompute:Clustering:ConnectionString"];
var gateways = builder.Configuration.GetSection("OrleansCompute:Client:Gateways").Get<List<string>>() ?? [];
var problem = api.Validate()
    ?? (string.IsNullOrWhiteSpace(silo.ClusterSecret) ? "OrleansCompute:Silo:ClusterSecret must be set to the silos' cluster secret." : null)
    ?? (string.IsNullOrWhiteSpace(redis) && gateways.Count == 0
        ? "Name the cluster: OrleansCompute:Clustering:ConnectionString (Redis membership) and/or OrleansCompute:Client:Gateways:0=host:port."
        : null);
if (problem is not null)
{
    Console.Error.WriteLine($"Invalid configuration: {problem}");
    return 2;
}

if (!string.IsNullOrWhiteSpace(redis))
{
    builder.Services.AddSingleton<IMembershipTable>(sp => new RedisMembershipTable(
        Options.Create(new RedisClusteringOptions { ConnectionString = redis }), Options.Create(silo),
        sp.GetService<ILogger<RedisMembershipTable>>()));
}

builder.Services.AddSingleton(sp => new ClusterClient(
    new ClusterClientOptions { ClusterId = silo.ClusterId, ClusterSecret = silo.ClusterSecret, Gateways = gateways },
    sp, sp.GetService<IMembershipTable>(), TimeProvider.System, sp.GetRequiredService<ILogger<ClusterClient>>()));
builder.Services.AddSingleton<IClusterClient>(sp => sp.GetRequiredService<ClusterClient>());
builder.Services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<ClusterClient>());
builder.Services.AddHostedService<ClusterConnection>();
builder.Services.AddOrleansComputeApi(builder.Configuration);
builder.WebHost.UseUrls([.. api.EffectiveUrls]);

var app = builder.Build();
app.MapOrleansComputeApi();
OrleansCompute.Api.Dashboard.DashboardEndpoints.MapOrleansComputeDashboard(app);
await app.RunAsync();
return 0;
