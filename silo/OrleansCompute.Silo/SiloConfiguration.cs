using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Inputs.Blob;
using OrleansCompute.Hosting;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.Silo;

/// <summary>Turns <see cref="StorageSettings"/> into silo services; shared with tests that start this host.</summary>
public static class SiloConfiguration
{
    public const string DatabaseFileName = "grain-state.db";

    /// <summary>Null when the settings are usable, else a message naming the setting.</summary>
    public static string? Validate(StorageSettings settings, ClusteringSettings clustering)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clustering);
        if (!ClusteringSettings.Providers.Contains(clustering.Provider, StringComparer.OrdinalIgnoreCase))
        {
            return $"OrleansCompute:Clustering:Provider must be one of {string.Join(", ", ClusteringSettings.Providers)} (was '{clustering.Provider}').";
        }

        if (IsRedis(clustering.Provider) && string.IsNullOrWhiteSpace(clustering.ConnectionString))
        {
            return "OrleansCompute:Clustering:ConnectionString must name the Redis server (e.g. 127.0.0.1:6379) when the clustering provider is redis.";
        }

        if (IsRedis(clustering.Provider) && !IsRedis(settings.Provider) && !IsAzureBlob(settings.Provider))
        {
            return $"OrleansCompute:Storage:Provider must be redis or azureblob when silos form a cluster: '{settings.Provider}' state lives inside one silo, so a grain that moves to another silo would lose it.";
        }

        if (IsAzureBlob(settings.Provider))
        {
            var options = new AzureBlobGrainStorageOptions { ConnectionString = settings.ConnectionString, ContainerName = settings.ContainerName };
            if (options.Check(ProviderConstants.DefaultStorageProviderName) is { } azureProblem)
            {
                return string.IsNullOrWhiteSpace(settings.ConnectionString)
                    ? "OrleansCompute:Storage:ConnectionString must be an Azure Storage connection string when the storage provider is azureblob "
                        + "(UseDevelopmentStorage=true for Azurite, or DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net)."
                    : $"OrleansCompute:Storage (azureblob): {azureProblem}";
            }
        }

        if (IsRedis(settings.Provider) && string.IsNullOrWhiteSpace(settings.ConnectionString ?? clustering.ConnectionString))
        {
            return "OrleansCompute:Storage:ConnectionString must name the Redis server when the storage provider is redis.";
        }

        if (!StorageSettings.Providers.Contains(settings.Provider, StringComparer.OrdinalIgnoreCase))
        {
            return $"OrleansCompute:Storage:Provider must be one of {string.Join(", ", StorageSettings.Providers)} (was '{settings.Provider}').";
        }

        if (string.IsNullOrWhiteSpace(settings.DataDirectory))
        {
            return "OrleansCompute:Storage:DataDirectory must name a folder.";
        }

        return null;
    }

    public static string DatabasePath(StorageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Path.Combine(Path.GetFullPath(settings.DataDirectory), DatabaseFileName);
    }

    private static bool IsRedis(string provider) => string.Equals(provider, "redis", StringComparison.OrdinalIgnoreCase);

    private static bool IsAzureBlob(string provider) => string.Equals(provider, "azureblob", StringComparison.OrdinalIgnoreCase);

    /// <summary>The blob account for job inputs (<c>OrleansCompute:Compute:Blob</c>), or null when none is configured.</summary>
    public static BlobInputOptions? BlobInputs(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection("OrleansCompute:Compute:Blob").Get<BlobInputOptions>();
        return string.IsNullOrWhiteSpace(options?.ConnectionString) ? null : options;
    }

    /// <summary>Null when the blob input settings are usable (or absent), else a message naming the setting.</summary>
    public static string? ValidateBlobInputs(BlobInputOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        try
        {
            new BlobInputSource(options).Dispose();
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"OrleansCompute:Compute:Blob: {ex.Message.Split(" (Parameter", 2)[0]}";
        }
    }

    /// <summary>Registers the blob input source when <paramref name="options"/> is set (jobs may then read <c>blob:container/prefix</c>).</summary>
    public static void ConfigureComputeInputs(IServiceCollection services, BlobInputOptions? options)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (options is not null)
        {
            services.AddSingleton<IInputSource>(_ => new BlobInputSource(options));
        }
    }

    public static void ConfigureClustering(ISiloBuilder silo, ClusteringSettings clustering)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(clustering);
        if (IsRedis(clustering.Provider))
        {
            silo.UseRedisClustering(o => o.ConnectionString = clustering.ConnectionString);
            silo.UseRedisGrainDirectory(o => o.ConnectionString = clustering.ConnectionString);
        }
    }

    public static void ConfigureStorage(ISiloBuilder silo, StorageSettings settings, ClusteringSettings clustering)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clustering);
        if (string.Equals(settings.Provider, "memory", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddMemoryGrainStorage();
            return;
        }

        if (IsRedis(settings.Provider))
        {
            silo.AddRedisGrainStorageAsDefault(o => o.ConnectionString = settings.ConnectionString ?? clustering.ConnectionString);
            return;
        }

        if (IsAzureBlob(settings.Provider))
        {
            silo.AddAzureBlobGrainStorageAsDefault(o =>
            {
                o.ConnectionString = settings.ConnectionString;
                o.ContainerName = settings.ContainerName;
            });
            return;
        }

        var path = DatabasePath(settings);
        silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = path);
    }
}
