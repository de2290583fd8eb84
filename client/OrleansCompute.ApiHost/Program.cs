using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Api;
using OrleansCompute.Api.Security;
using OrleansCompute.Api.Telemetry;
using OrleansCompute.ApiHost;

// The HTTP API as a standalone Orleans cluster client (UseOrleansClient): scales separately from the silos and serves the
// same routes as a co-hosted silo (OrleansCompute:Api:*). It finds the cluster with the silo's own keys
// (OrleansCompute:Silo:ClusterId/ServiceId, OrleansCompute:Clustering:Provider none|redis + ConnectionString, or fixed
// gateways OrleansCompute:Client:Gateways:0=ip:port, or the embedded silo's gateway on 127.0.0.1:OrleansCompute:Endpoints:GatewayPort)
// and connects in the background: /health/ready and /api/* answer 503 until a gateway is reached. See README.md.
using var signals = new ShutdownSignals(); // first: a SIGTERM from here on stops the host cleanly, even mid start-up
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no line per request
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});
builder.Logging.RedactSecrets(builder.Configuration); // API keys, *Password/*Secret/*Key settings, Redis passwords → ***
var redactor = SecretRedactor.FromConfiguration(builder.Configuration);

var api = builder.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
var problem = api.Validate() ?? ClientConfiguration.Validate(builder.Configuration) ?? TelemetryOptions.Read(builder.Configuration).Validate();
if (problem is not null)
{
    Console.Error.WriteLine($"Invalid configuration: {redactor.Redact(problem)}");
    return 2;
}

ClusterConnection.AddClusterClient(builder, client =>
{
    ClientConfiguration.Configure(client, builder.Configuration);
    client.AddOrleansComputeTelemetry(builder.Configuration); // the Orleans Dashboard (the silos collect), activity propagation
}, ClientConfiguration.Describe(builder.Configuration));
builder.Services.AddOrleansComputeApi(builder.Configuration);
builder.Services.AddSingleton<IHostLifetime>(sp => signals.Attach(sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<ShutdownSignals>>()));
builder.Services.AddOrleansComputeTelemetry(builder.Configuration);
ApiListenUrls.Configure(builder.WebHost, builder.Configuration, api);

var app = builder.Build();
app.MapOrleansComputeApi();
app.MapOrleansComputeTelemetry();
OrleansCompute.Api.Dashboard.DashboardEndpoints.MapOrleansComputeDashboard(app);
try
{
    await app.StartAsync();
}
catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine(redactor.Redact($"Cannot listen for the HTTP API on {ApiListenUrls.Describe(builder.Configuration, api)}: {ex.Message} (set OrleansCompute:Api:Urls to another port)."));
    return 2;
}

// The API-key rule on the addresses really bound (ListenAddressGuard; no request was answered before the check).
if (app.Services.GetRequiredService<ListenAddressGuard>().Refusal is { } refusal)
{
    Console.Error.WriteLine($"Invalid configuration: {refusal}");
    using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    await app.StopAsync(stopping.Token);
    return 2;
}

await app.WaitForShutdownAsync();
return 0;
