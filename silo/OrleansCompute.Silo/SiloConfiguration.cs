using System.Net;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Hosting;
using OrleansCompute.Grains.Compute.Inputs.Blob;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Hosting;
using OrleansCompute.Security;
using StackExchange.Redis;

namespace OrleansCompute.Silo;

/// <summary>
/// Maps the silo's settings (<c>OrleansCompute:*</c>) onto Orleans: clustering, endpoints, liveness, storage and the
/// compute grains (<see cref="OrleansComputeSiloBuilderExtensions.AddOrleansCompute"/>). Shared with tests that start this host.
/// </summary>
public static class SiloConfiguration
{
    public const string DatabaseFileName = "grain-state.db";

    /// <summary>Null when the settings are usable, else a message naming the setting.</summary>
    public static string? Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = Storage(configuration);
        var clustering = Clustering(configuration);
        var endpoints = Endpoints(configuration);
        if (!string.IsNullOrEmpty(configuration["OrleansCompute:Silo:ClusterSecret"]))
        {
            return "OrleansCompute:Silo:ClusterSecret is no longer supported: the silo runs on Microsoft Orleans, whose nodes are "
                + "authenticated with mutual TLS instead. Remove the setting and configure OrleansCompute:Tls (see the README's Security section).";
        }

        if ((ClusterTls.Validate(configuration) ?? RedisConnections.Validate(configuration)) is { } security)
        {
            return security;
        }

        if (!ClusteringSettings.Providers.Contains(clustering.Provider, StringComparer.OrdinalIgnoreCase))
        {
            return $"OrleansCompute:Clustering:Provider must be one of {string.Join(", ", ClusteringSettings.Providers)} (was '{clustering.Provider}').";
        }

        if (IsRedis(clustering.Provider) && string.IsNullOrWhiteSpace(clustering.ConnectionString))
        {
            return "OrleansCompute:Clustering:ConnectionString must name the Redis server (e.g. 127.0.0.1:6379) when the clustering provider is redis.";
        }

        if (IsRedis(clustering.Provider) && RedisConnections.Parse(clustering.ConnectionString!) is null)
        {
            return "OrleansCompute:Clustering:ConnectionString is not a valid StackExchange.Redis configuration (e.g. 127.0.0.1:6379,password=…).";
        }

        if (!StorageSettings.Providers.Contains(settings.Provider, StringComparer.OrdinalIgnoreCase))
        {
            return $"OrleansCompute:Storage:Provider must be one of {string.Join(", ", StorageSettings.Providers)} (was '{settings.Provider}').";
        }

        if (IsRedis(clustering.Provider) && !IsRedis(settings.Provider) && !IsAzureBlob(settings.Provider))
        {
            return $"OrleansCompute:Storage:Provider must be redis or azureblob when silos form a cluster: '{settings.Provider}' state lives inside one silo "
                + "(a SQLite file or process memory), so a grain that moves to another silo would lose it.";
        }

        if (IsAzureBlob(settings.Provider))
        {
            if (string.IsNullOrWhiteSpace(settings.ConnectionString))
            {
                return "OrleansCompute:Storage:ConnectionString must be an Azure Storage connection string when the storage provider is azureblob "
                    + "(UseDevelopmentStorage=true for Azurite, or DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net).";
            }

            try
            {
                _ = new BlobServiceClient(settings.ConnectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                return $"OrleansCompute:Storage:ConnectionString (azureblob) is not a valid Azure Storage connection string: {ex.Message}";
            }

            if (!BlobInputSource.IsValidContainerName(settings.ContainerName))
            {
                return $"OrleansCompute:Storage:ContainerName must be a blob container name (3–63 lower-case letters, digits and hyphens; was '{settings.ContainerName}').";
            }
        }

        if (IsRedis(settings.Provider))
        {
            var redis = settings.ConnectionString ?? clustering.ConnectionString;
            if (string.IsNullOrWhiteSpace(redis))
            {
                return "OrleansCompute:Storage:ConnectionString must name the Redis server when the storage provider is redis.";
            }

            if (RedisConnections.Parse(redis) is null)
            {
                return "OrleansCompute:Storage:ConnectionString is not a valid StackExchange.Redis configuration (e.g. 127.0.0.1:6379,password=…).";
            }
        }

        if (string.IsNullOrWhiteSpace(settings.DataDirectory))
        {
            return "OrleansCompute:Storage:DataDirectory must name a folder.";
        }

        if (!IPAddress.TryParse(endpoints.AdvertisedAddress, out _))
        {
            return $"OrleansCompute:Endpoints:AdvertisedAddress must be an IP address (was '{endpoints.AdvertisedAddress}').";
        }

        if (endpoints.ListenAddress is { Length: > 0 } listen && !IPAddress.TryParse(listen, out _))
        {
            return $"OrleansCompute:Endpoints:ListenAddress must be an IP address (was '{listen}').";
        }

        if (endpoints.SiloPort is < 1 or > 65535)
        {
            return $"OrleansCompute:Endpoints:SiloPort must be a port number (1–65535; was {endpoints.SiloPort}).";
        }

        if (endpoints.GatewayPort is < 0 or > 65535)
        {
            return $"OrleansCompute:Endpoints:GatewayPort must be a port number (1–65535), or 0 for no gateway (was {endpoints.GatewayPort}).";
        }

        var fence = configuration["OrleansCompute:Membership:IsolationFenceTimeout"];
        if (fence is { Length: > 0 } && (!TimeSpan.TryParse(fence, System.Globalization.CultureInfo.InvariantCulture, out var fenceTimeout) || fenceTimeout < TimeSpan.Zero))
        {
            return $"OrleansCompute:Membership:IsolationFenceTimeout must be a non-negative time span such as 00:00:03 (0 turns the isolation fence off; was '{fence}').";
        }

        if (DrainTimeoutSetting(configuration) is { } drainProblem)
        {
            return drainProblem;
        }

        var claim = configuration["OrleansCompute:Membership:ClaimStateOnActivation"];
        if (claim is { Length: > 0 } && !bool.TryParse(claim, out _))
        {
            return $"OrleansCompute:Membership:ClaimStateOnActivation must be true or false (default: true in a cluster; was '{claim}').";
        }

        var trim = configuration["OrleansCompute:Compute:IdleMemoryTrim"];
        if (trim is { Length: > 0 } && (!TimeSpan.TryParse(trim, System.Globalization.CultureInfo.InvariantCulture, out var trimAfter) || trimAfter < TimeSpan.Zero))
        {
            return $"OrleansCompute:Compute:IdleMemoryTrim must be a non-negative time span such as 00:00:10 (0 turns it off; was '{trim}').";
        }

        JobGrainOptions jobs;
        try
        {
            jobs = configuration.GetSection("OrleansCompute:Compute:Jobs").Get<JobGrainOptions>() ?? new JobGrainOptions();
        }
        catch (InvalidOperationException e)
        {
            return $"OrleansCompute:Compute:Jobs: {e.Message}";
        }

        if (jobs.Validate("OrleansCompute:Compute:Jobs:") is { } jobsError)
        {
            return jobsError;
        }

        return BlobInputs(configuration) is { } blob ? ValidateBlobInputs(blob) : null;
    }

    /// <summary>The default of <c>OrleansCompute:Hosting:DrainTimeout</c>: .NET's own host shutdown timeout.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>OrleansCompute:Hosting:DrainTimeout</c>: how long a silo told to stop (SIGTERM, Ctrl+C) may take, from the signal to
    /// the process's end. Leaving cleanly — the HTTP API finishes the requests it is serving, the silo announces ShuttingDown,
    /// its job grains let their splits in flight finish, every grain deactivates with its state written — has all of it but
    /// a reserve (a quarter, at most 5 s: the host's shutdown timeout), then Orleans stops without deactivating what is
    /// left; a stop still not over at the drain time (the membership table does not answer) ends with exit code 124
    /// (<see cref="OrleansCompute.Hosting.StopDeadline"/>). Keep a supervisor's kill timeout (Kubernetes
    /// <c>terminationGracePeriodSeconds</c>, compose <c>stop_grace_period</c>) above it.
    /// </summary>
    public static TimeSpan DrainTimeout(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration["OrleansCompute:Hosting:DrainTimeout"] is { Length: > 0 } text
            && TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : DefaultDrainTimeout;
    }

    private static string? DrainTimeoutSetting(IConfiguration configuration)
    {
        var text = configuration["OrleansCompute:Hosting:DrainTimeout"];
        if (text is not { Length: > 0 })
        {
            return null;
        }

        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromHours(1)
            ? null
            : $"OrleansCompute:Hosting:DrainTimeout must be a time span between 00:00:01 and 01:00:00, such as 00:00:30 (was '{text}').";
    }

    public static StorageSettings Storage(IConfiguration configuration) =>
        configuration.GetSection("OrleansCompute:Storage").Get<StorageSettings>() ?? new StorageSettings();

    public static ClusteringSettings Clustering(IConfiguration configuration) =>
        configuration.GetSection("OrleansCompute:Clustering").Get<ClusteringSettings>() ?? new ClusteringSettings();

    public static EndpointSettings Endpoints(IConfiguration configuration) =>
        configuration.GetSection("OrleansCompute:Endpoints").Get<EndpointSettings>() ?? new EndpointSettings();

    public static string DatabasePath(StorageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Path.Combine(Path.GetFullPath(settings.DataDirectory), DatabaseFileName);
    }

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

    /// <summary>Configures <paramref name="silo"/> from <paramref name="configuration"/> (validated first with <see cref="Validate"/>).</summary>
    public static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("OrleansCompute");
        var clustering = Clustering(configuration);
        var endpoints = Endpoints(configuration);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = section["Silo:ClusterId"] ?? "dev";
            o.ServiceId = section["Silo:ServiceId"] ?? "orleanscompute";
        });
        if (section["Silo:SiloName"] is { Length: > 0 } name)
        {
            silo.Configure<SiloOptions>(o => o.SiloName = name);
        }

        if (IsRedis(clustering.Provider))
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = RedisConnections.Parse(clustering.ConnectionString!, configuration));
            var advertised = IPAddress.Parse(endpoints.AdvertisedAddress);
            var listen = endpoints.ListenAddress is { Length: > 0 } l ? IPAddress.Parse(l) : advertised;
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = advertised;
                o.SiloPort = endpoints.SiloPort;
                o.GatewayPort = endpoints.GatewayPort;
                o.SiloListeningEndpoint = new IPEndPoint(listen, endpoints.SiloPort);
                o.GatewayListeningEndpoint = endpoints.GatewayPort > 0 ? new IPEndPoint(listen, endpoints.GatewayPort) : null;
            });
        }
        else
        {
            // One embedded silo: Orleans's localhost clustering (in-memory membership), listening on loopback only.
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort,
                serviceId: section["Silo:ServiceId"] ?? "orleanscompute", clusterId: section["Silo:ClusterId"] ?? "dev");
        }

        // In Kubernetes (OrleansCompute:Hosting:Kubernetes=true): Orleans's Kubernetes hosting names the silo after its pod,
        // takes ORLEANS_CLUSTER_ID / ORLEANS_SERVICE_ID from the pod's labels (through the environment) and watches pods:
        // a silo whose pod is deleted stops. Membership stays in Redis. The manifests are in silo/deploy/kubernetes.
        if (configuration.GetValue<bool>("OrleansCompute:Hosting:Kubernetes"))
        {
            silo.UseKubernetesHosting();
        }

        // Drain: SIGTERM / Ctrl+C stop the process within OrleansCompute:Hosting:DrainTimeout. Gracefully for all of it but
        // a reserve (the host's shutdown timeout): the API finishes its requests first, then Orleans stops the silo
        // (ShuttingDown, grains deactivate); a stop still not over at the drain time (the membership table does not
        // answer: Orleans would wait up to two more minutes) ends with exit code 124 and a line saying what was left undone.
        silo.UseStopDeadline(DrainTimeout(configuration));

        // Mutual TLS between silos and on the gateway (OrleansCompute:Tls): Orleans's UseTls with the cluster's own trust.
        if (ClusterTls.Read(configuration) is { } tls)
        {
            silo.UseClusterTls(tls);
        }

        // Failure detection: the product's profile (~2 s from a death to the grains answering elsewhere), then any
        // Orleans ClusterMembershipOptions value set under OrleansCompute:Membership; and once a silo is declared dead,
        // the connection attempts to it end at once (a lost host leaves them pending for seconds otherwise).
        silo.UseFastFailureDetection(section.GetSection("Membership").Bind);
        silo.AbortConnectionsToDeadSilos();
        silo.Configure<SiloMessagingOptions>(section.GetSection("Messaging"));
        silo.Configure<GrainCollectionOptions>(section.GetSection("GrainCollection"));
        ConfigureStorage(silo, Storage(configuration), clustering, configuration);

        // Grain state is written in Orleans's binary format (the one its messages use: version-tolerant through [Id],
        // compact, no reflection per call) rather than its providers' default Newtonsoft.Json: the compute grains' states
        // hold byte arrays (job plans, results, partials) that JSON would base64-encode.
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
            (services, _) => new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()));

        var compute = section.GetSection("Compute");
        silo.AddOrleansCompute(o =>
        {
            foreach (var root in compute.GetSection("DataRoots").Get<string[]>() ?? [])
            {
                o.DataRoots.Add(root);
            }

            if (o.DataRoots.Count == 0)
            {
                // The embedded default reads job inputs under the working directory, so `ocx job run wordcount README.md` works
                // out of the box. Safe because the API listens on loopback only unless an API key is configured; set
                // OrleansCompute:Compute:DataRoots:0 to narrow it (recommended for any shared machine).
                o.DataRoots.Add(Directory.GetCurrentDirectory());
            }

            o.Jobs = compute.GetSection("Jobs").Get<JobGrainOptions>() ?? new JobGrainOptions();
            if (compute["IdleMemoryTrim"] is { Length: > 0 })
            {
                o.IdleMemoryTrim = compute.GetValue<TimeSpan>("IdleMemoryTrim");
            }

            if (compute["SiloMetricsInterval"] is { Length: > 0 })
            {
                o.SiloMetricsInterval = compute.GetValue<TimeSpan>("SiloMetricsInterval");
            }

            if (compute["SiloMetricsSamples"] is { Length: > 0 })
            {
                o.SiloMetricsSamples = compute.GetValue<int>("SiloMetricsSamples");
            }
            o.BlobInputs = BlobInputs(configuration);
            var membership = section.GetSection("Membership");
            if (membership["IsolationFenceTimeout"] is { Length: > 0 })
            {
                o.IsolationFenceTimeout = membership.GetValue<TimeSpan>("IsolationFenceTimeout");
            }

            if (membership["ClaimStateOnActivation"] is { Length: > 0 })
            {
                o.ClaimStateOnActivation = membership.GetValue<bool>("ClaimStateOnActivation");
            }
        });
    }

    public static void ConfigureStorage(ISiloBuilder silo, StorageSettings settings, ClusteringSettings clustering, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clustering);
        if (string.Equals(settings.Provider, "memory", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddMemoryGrainStorageAsDefault();
            return;
        }

        if (IsRedis(settings.Provider))
        {
            var redis = RedisConnections.Parse(settings.ConnectionString ?? clustering.ConnectionString!, configuration);
            silo.AddRedisGrainStorageAsDefault(o => o.ConfigurationOptions = redis);
            return;
        }

        if (IsAzureBlob(settings.Provider))
        {
            silo.AddAzureBlobGrainStorageAsDefault(o =>
            {
                o.BlobServiceClient = new BlobServiceClient(settings.ConnectionString);
                o.ContainerName = settings.ContainerName;
            });
            return;
        }

        var path = DatabasePath(settings);
        silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = path);
    }


    private static bool IsRedis(string provider) => string.Equals(provider, "redis", StringComparison.OrdinalIgnoreCase);

    private static bool IsAzureBlob(string provider) => string.Equals(provider, "azureblob", StringComparison.OrdinalIgnoreCase);
}
