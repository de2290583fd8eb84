using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Hosting;
using OrleansCompute.Silo;

// The embedded default: one silo, grain state in SQLite under a local folder. With
// OrleansCompute:Clustering:Provider=redis, silo processes form a cluster through Redis.
// Settings: appsettings.json < environment variables (OrleansCompute__Storage__DataDirectory=...) < command line
// (--OrleansCompute:Storage:DataDirectory=...).
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});

var storage = builder.Configuration.GetSection("OrleansCompute:Storage").Get<StorageSettings>() ?? new StorageSettings();
var clustering = builder.Configuration.GetSection("OrleansCompute:Clustering").Get<ClusteringSettings>() ?? new ClusteringSettings();
var blobInputs = SiloConfiguration.BlobInputs(builder.Configuration);
var problem = SiloConfiguration.Validate(storage, clustering) ?? SiloConfiguration.ValidateBlobInputs(blobInputs);
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

// Compute jobs read inputs only under the configured data roots (OrleansCompute:Compute:DataRoots:0=/data …).
var dataRoots = new OrleansCompute.Grains.Compute.DataRootOptions();
foreach (var root in builder.Configuration.GetSection("OrleansCompute:Compute:DataRoots").Get<string[]>() ?? [])
{
    dataRoots.Roots.Add(Path.GetFullPath(root));
}

builder.Services.AddSingleton(dataRoots);
SiloConfiguration.ConfigureComputeInputs(builder.Services, blobInputs); // blob:container/prefix inputs (OrleansCompute:Compute:Blob)
builder.Services.AddSingleton(builder.Configuration.GetSection("OrleansCompute:Compute:Jobs").Get<OrleansCompute.Grains.Jobs.JobGrainOptions>()
    ?? new OrleansCompute.Grains.Jobs.JobGrainOptions());

try
{
    await builder.Build().RunAsync();
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
