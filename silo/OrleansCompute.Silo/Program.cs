using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Api;
using OrleansCompute.Api.Security;
using OrleansCompute.Api.Telemetry;
using OrleansCompute.Silo;

// The embedded default: one Orleans silo (localhost clustering), grain state in SQLite under a local folder, the HTTP API
// on http://127.0.0.1:5080. With OrleansCompute:Clustering:Provider=redis, silo processes form a cluster through Redis.
// Settings: the appsettings.json shipped next to the silo < an appsettings.json in the working directory < environment
// variables (OrleansCompute__Storage__DataDirectory=...) < command line (--OrleansCompute:Storage:DataDirectory=...).
// The shipped file is read wherever the silo is started from (`dotnet run -c Release --project silo/…` runs it from the
// repository root, where there is none): without it every HTTP request would log five lines.
if (args is ["probe", ..])
{
    return await HealthProbe.RunAsync(args.Length > 1 ? args[1] : HealthProbe.DefaultUrl); // container health checks
}

var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true).Build();
var configuration = new ConfigurationBuilder()
    .AddConfiguration(shipped)
    .SetBasePath(Directory.GetCurrentDirectory())
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();
var api = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();

// The silo co-hosts the API by default (a WebApplication); with OrleansCompute:Api:Enabled=false it is a plain host.
IHostApplicationBuilder builder;
WebApplicationBuilder? web = null;
if (api.Enabled)
{
    web = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
    builder = web;
}
else
{
    builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
}

builder.Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = shipped }); // lowest priority
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff "; // milliseconds: the order of events across silos (probes, votes, deaths) is read from these
});

// Every log line (ours, Orleans's, ASP.NET Core's) and every line printed below passes the redactor: configured secrets
// (API keys, *Password/*Secret/*Key settings), Redis passwords, Azure account keys and SAS signatures become ***.
builder.Logging.RedactSecrets(builder.Configuration);
var redactor = SecretRedactor.FromConfiguration(builder.Configuration);

var problem = SiloConfiguration.Validate(builder.Configuration) ?? (api.Enabled ? api.Validate() : null)
    ?? TelemetryOptions.Read(builder.Configuration).Validate();
if (problem is not null)
{
    Console.Error.WriteLine($"Invalid configuration: {redactor.Redact(problem)}");
    return 2;
}

builder.UseOrleans(silo =>
{
    SiloConfiguration.Configure(silo, builder.Configuration);
    silo.AddOrleansComputeTelemetry(builder.Configuration); // the Orleans Dashboard's collection; activity propagation when tracing
});
builder.Services.AddOrleansComputeTelemetry(builder.Configuration, http: web is not null); // OpenTelemetry: /metrics, OTLP
builder.Services.AddHostedService<StartupReport>();

IHost host;
if (web is not null)
{
    ApiListenUrls.Configure(web.WebHost, web.Configuration, api);
    web.Services.AddOrleansComputeApi(web.Configuration);
    var app = web.Build();
    app.MapOrleansComputeApi();
    app.MapOrleansComputeTelemetry(); // /metrics and the Orleans Dashboard at /orleans-dashboard
    OrleansCompute.Api.Dashboard.DashboardEndpoints.MapOrleansComputeDashboard(app);
    host = app;
}
else
{
    host = ((HostApplicationBuilder)builder).Build();
}

try
{
    await host.StartAsync();
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    Console.Error.WriteLine("Invalid configuration:");
    foreach (var failure in ex.Failures)
    {
        Console.Error.WriteLine($"  {redactor.Redact(failure)}");
    }

    return 2;
}
catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine(redactor.Redact($"Cannot listen for the HTTP API on {ApiListenUrls.Describe(builder.Configuration, api)}: {ex.Message} " +
        "(set OrleansCompute:Api:Urls to another port, or OrleansCompute:Api:Enabled=false)."));
    return 2;
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    // A silo that cannot start (storage refused, a port taken, Redis unreachable…) says why in one line and exits;
    // the log lines above hold the details.
    Console.Error.WriteLine($"The silo could not start: {redactor.Redact(StartupFailure.Describe(ex))}");
    return 1;
}

// The API-key rule, checked on the addresses the web server really bound (ListenAddressGuard, after start-up; no request was
// answered before it): refused → one line, a graceful stop (the silo leaves the cluster), exit code 2.
if (host.Services.GetService<ListenAddressGuard>()?.Refusal is { } refusal)
{
    Console.Error.WriteLine($"Invalid configuration: {refusal}");
    using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    await host.StopAsync(stopping.Token);
    return 2;
}

await host.WaitForShutdownAsync();
return 0;
