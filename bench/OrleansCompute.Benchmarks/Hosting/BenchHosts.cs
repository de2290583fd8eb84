using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansCompute.Api.Telemetry;
using OrleansCompute.Hosting;
using OrleansCompute.Storage;

namespace OrleansCompute.Benchmarks.Hosting;

/// <summary>In-process Orleans silos for the benchmarks, always on explicit free loopback ports (other silos and tests may be running on this machine).</summary>
internal static class BenchHosts
{
    /// <summary><paramref name="count"/> distinct free TCP ports on 127.0.0.1 (all listeners are held until every port is known).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
                listener.Dispose();
            }
        }
    }

    /// <summary>One silo (localhost clustering on free ports) that also knows the benchmark assembly's grains; logs warnings and up, nowhere.</summary>
    public static IHost BuildSilo(Action<ISiloBuilder>? configure = null)
    {
        var ports = FreePorts(2);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: ports[0], gatewayPort: ports[1]);
            silo.Services.AddSerializer(s => s.AddAssembly(typeof(BenchHosts).Assembly));
            configure?.Invoke(silo);
        });
        return builder.Build();
    }

    /// <summary>
    /// The embedded default as the silo executable wires it (silo/OrleansCompute.Silo, <c>SiloConfiguration</c>): one silo,
    /// our SQLite grain storage (with its append log) as the default provider, state in Orleans's binary format, and the
    /// compute grains; and its telemetry (the Orleans Dashboard's collection, OpenTelemetry's meters with the Prometheus
    /// exporter aggregating, nobody scraping), from the silo's settings in environment variables
    /// (<c>OrleansCompute__Telemetry__Tracing=true</c> records traces too; <c>OCX_BENCH_TELEMETRY=off</c> leaves it all out).
    /// </summary>
    public static IHost BuildEmbeddedDefault(string databasePath) => BuildSilo(silo =>
    {
        silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = databasePath);
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
            (services, _) => new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()));
        silo.AddOrleansCompute(o => o.ResumeJobsOnStart = false);
        if (Environment.GetEnvironmentVariable("OCX_BENCH_TELEMETRY") != "off") // off: the same binary without it, for A/B runs
        {
            var telemetry = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            silo.AddOrleansComputeTelemetry(telemetry);
            silo.Services.AddOrleansComputeTelemetry(telemetry);
        }
    });

    /// <summary>
    /// The compute grains with memory grain storage and an append log that stores nothing: what streaming ingest costs
    /// without persistence (Orleans messaging + the grains' own work). For breakdowns only.
    /// </summary>
    public static IHost BuildWithoutPersistence() => BuildSilo(silo =>
    {
        silo.AddMemoryGrainStorageAsDefault();
        silo.Services.AddKeyedSingleton<IGrainLogStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, NullGrainLog.Instance);
        silo.AddOrleansCompute(o => o.ResumeJobsOnStart = false);
    });

    private sealed class NullGrainLog : IGrainLogStorage
    {
        public static readonly NullGrainLog Instance = new();

        public Task<GrainLog> ReadLogAsync(string stateName, Orleans.Runtime.GrainId grainId, CancellationToken cancellationToken = default) => Task.FromResult(GrainLog.Empty);

        // Completes synchronously: the partitions' commit loop does not depend on the append yielding (an early stall with such
        // appends no longer happens, bench/README.md; SynchronousLogTests in the cluster tests).
        public Task AppendLogAsync(string stateName, Orleans.Runtime.GrainId grainId, long sequence, ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default) =>
            Task.CompletedTask;

        public Task WriteLogSnapshotAsync(string stateName, Orleans.Runtime.GrainId grainId, long sequence, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken = default) =>
            Task.CompletedTask;

        public Task ClearLogAsync(string stateName, Orleans.Runtime.GrainId grainId, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
