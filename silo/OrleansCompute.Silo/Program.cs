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
var problem = SiloConfiguration.Validate(storage, clustering);
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
