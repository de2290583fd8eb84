using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Api;
using OrleansCompute.Hosting;
using OrleansCompute.Silo;

// The embedded default: one silo, grain state in SQLite under a local folder, the HTTP API on
// http://127.0.0.1:5080. With OrleansCompute:Clustering:Provider=redis, silo processes form a cluster through Redis.
// Settings: the appsettings.json shipped next to the silo < an appsettings.json in the working directory < environment
// variables (OrleansCompute__Storage__DataDirectory=...) < command line (--OrleansCompute:Storage:DataDirectory=...).
// The shipped file is read wherever the silo is started from (`dotnet run -c Release --project silo/…` runs it from the
// repository root, where there is none): without it every HTTP request would log five lines.
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
    o.TimestampFormat = "HH:mm:ss ";
});

var storage = builder.Configuration.GetSection("OrleansCompute:Storage").Get<StorageSettings>() ?? new StorageSettings();
var clustering = builder.Configuration.GetSection("OrleansCompute:Clustering").Get<ClusteringSettings>() ?? new ClusteringSettings();
var blobInputs = SiloConfiguration.BlobInputs(builder.Configuration);
var problem = SiloConfiguration.Validate(storage, clustering)
    ?? SiloConfiguration.ValidateBlobInputs(blobInputs)
    ?? (api.Enabled ? api.Validate() : null);
if (problem is not null)
{
    Console.Error.WriteLine($"Invalid configuration: {problem}");
    return 2;
}

builder.UseOrleansCompute(silo =>
{
    SiloConfiguration.ConfigureClustering(silo, clustering);
    SiloConfiguration.ConfigureStorage(silo, storage, clustering);
});
builder.Services.AddHostedService<StartupReport>();
builder.Services.AddHostedService<JobResumer>();
builder.Services.AddOrleansComputeSiloStatistics(builder.Configuration);

// Compute jobs read inputs only under the configured data roots (OrleansCompute:Compute:DataRoots:0=/data …).
var dataRoots = new OrleansCompute.Grains.Compute.DataRootOptions();
foreach (var root in builder.Configuration.GetSection("OrleansCompute:Compute:DataRoots").Get<string[]>() ?? [])
{
    dataRoots.Roots.Add(Path.GetFullPath(root));
}

if (dataRoots.Roots.Count == 0)
{
    // The embedded default reads job inputs under the working directory, so `ocx job run wordcount README.md` works
    // out of the box. Safe because the API listens on loopback only unless an API key is configured; set
    // OrleansCompute:Compute:DataRoots:0 to narrow it (recommended for any shared machine).
    dataRoots.Roots.Add(Path.GetFullPath(Directory.GetCurrentDirectory()));
}

builder.Services.AddSingleton(dataRoots);
SiloConfiguration.ConfigureComputeInputs(builder.Services, blobInputs); // blob:container/prefix inputs (OrleansCompute:Compute:Blob)
builder.Services.AddSingleton(builder.Configuration.GetSection("OrleansCompute:Compute:Jobs").Get<OrleansCompute.Grains.Jobs.JobGrainOptions>()
    ?? new OrleansCompute.Grains.Jobs.JobGrainOptions());

IHost host;
if (web is not null)
{
    web.WebHost.UseUrls([.. api.EffectiveUrls]);
    web.Services.AddOrleansComputeApi(web.Configuration);
    var app = web.Build();
    app.MapOrleansComputeApi();
    OrleansCompute.Api.Dashboard.DashboardEndpoints.MapOrleansComputeDashboard(app);
    host = app;
}
else
{
    host = ((HostApplicationBuilder)builder).Build();
}

try
{
    await host.RunAsync();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    Console.Error.WriteLine("Invalid configuration:");
    foreach (var failure in ex.Failures)
    {
        Console.Error.WriteLine($"  {failure}");
    }

    return 2;
}
catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"Cannot listen for the HTTP API on {string.Join(", ", api.EffectiveUrls)}: {ex.Message} " +
        "(set OrleansCompute:Api:Urls to another port, or OrleansCompute:Api:Enabled=false).");
    return 2;
}
