using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Inputs.Blob;
using OrleansCompute.Grains.Placement;

namespace OrleansCompute.Hosting;

/// <summary>Adds the compute grains (batch jobs, streaming ingestion, the API's support grains) to an Orleans silo.</summary>
public static class OrleansComputeSiloBuilderExtensions
{
    /// <summary>
    /// Adds OrleansCompute to this silo: the options and services its grains read (data roots, job kinds, job
    /// options, blob inputs) and job resumption at start-up. The grain classes themselves are found by Orleans (this
    /// assembly is an Orleans application part). The grains persist through the silo's <em>default</em> grain storage:
    /// add one with Orleans as usual (<c>AddRedisGrainStorageAsDefault</c>, <c>AddAzureBlobGrainStorageAsDefault</c>,
    /// <c>AddMemoryGrainStorageAsDefault</c> for tests) or ours (<c>AddSqliteGrainStorageAsDefault</c>, which also
    /// gives streaming partitions an append log with group commit); the silo refuses to start without one.
    /// In clustered silos it also adds the isolation fence (<see cref="IsolationWatchdog"/>) and the claim on activation
    /// of grains with persistent state (<see cref="OrleansComputeOptions.ClaimStateOnActivation"/>; it replaces Orleans's
    /// <see cref="IPersistentStateFactory"/> with one that wraps Orleans's own).
    /// </summary>
    public static ISiloBuilder AddOrleansCompute(this ISiloBuilder builder, Action<OrleansComputeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OrleansComputeOptions();
        configure?.Invoke(options);

        var roots = new DataRootOptions();
        foreach (var root in options.DataRoots)
        {
            roots.Roots.Add(Path.GetFullPath(root));
        }

        var services = builder.Services;
        services.TryAddSingleton(roots);
        services.TryAddSingleton(options.Jobs);
        services.TryAddSingleton(options.Kinds);
        if (options.BlobInputs is { } blob)
        {
            services.AddSingleton<IInputSource>(_ => new BlobInputSource(blob));
        }

        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new DefaultStorageCheck(sp));

        // Placement: a job's splits and a dataset's stream partitions spread evenly over the silos ([SpreadPlacement]).
        services.TryAddSingleton<SpreadPlacementDirector>();
        services.AddPlacementDirector<SpreadPlacement>(sp => sp.GetRequiredService<SpreadPlacementDirector>());

        // Drain: the grains learn that their silo is stopping before Orleans deactivates them (SiloDrain).
        services.TryAddSingleton<SiloDrain>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloDrain>());

        // Fencing (clustered silos): the isolation watchdog, and the claim on activation of grains with persistent state.
        var fencing = new FencingSettings(options.IsolationFenceTimeout, options.ClaimStateOnActivation);
        services.AddSingleton(fencing);
        services.AddSingleton<IPersistentStateFactory, ClaimingPersistentStateFactory>();
        builder.AddGrainService<IsolationPingService>();
        services.AddSingleton<IsolationPingClient>();
        services.AddSingleton(sp => new IsolationWatchdog(sp, sp.GetRequiredService<FencingSettings>(), sp.GetRequiredService<ILogger<IsolationWatchdog>>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<IsolationWatchdog>());
        services.AddSingleton(options);
        services.AddSingleton<IdleMemoryTrimmer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<IdleMemoryTrimmer>());

        // Per-silo CPU, memory, GC and calls/s samples for the dashboard (read through ISiloMetricsGrain).
        services.AddSingleton(sp => new OrleansCompute.Grains.Telemetry.SiloMetricsSampler(
            sp.GetRequiredService<ILocalSiloDetails>(), sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<ILogger<OrleansCompute.Grains.Telemetry.SiloMetricsSampler>>(), options.SiloMetricsInterval, options.SiloMetricsSamples));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OrleansCompute.Grains.Telemetry.SiloMetricsSampler>());
        builder.AddGrainService<OrleansCompute.Grains.Api.SiloMetricsService>();
        services.AddSingleton<OrleansCompute.Grains.Api.SiloMetricsClient>();
        if (options.ResumeJobsOnStart)
        {
            services.AddSingleton<JobResumer>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<JobResumer>());
        }

        return builder;
    }

    /// <summary>
    /// Bounds this silo process's stop (SIGTERM, Ctrl+C) by <paramref name="drainTimeout"/>: the host's shutdown timeout
    /// becomes <see cref="StopDeadline.GracefulPart"/> of it (the API finishes its requests, the silo drains, grains deactivate
    /// with their state written), and a process whose stop is still not over at <paramref name="drainTimeout"/> — Orleans
    /// waits up to a minute for each membership write when the membership table does not answer — exits with
    /// <see cref="StopDeadline.ExitCode"/> after a log line saying what was left undone (<see cref="StopDeadline"/>). For
    /// a process that hosts one silo: it ends the process, so never call it in a test host.
    /// </summary>
    public static ISiloBuilder UseStopDeadline(this ISiloBuilder builder, TimeSpan drainTimeout)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(drainTimeout, TimeSpan.Zero);
        var services = builder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = StopDeadline.GracefulPart(drainTimeout));
        services.AddSingleton(sp => new StopDeadline(drainTimeout, sp.GetRequiredService<IHostApplicationLifetime>(), sp, sp.GetRequiredService<ILogger<StopDeadline>>()));
        services.AddSingleton<IActivationWorkingSetObserver>(sp => sp.GetRequiredService<StopDeadline>());
        services.AddHostedService(sp => sp.GetRequiredService<StopDeadline>());
        return builder;
    }

    /// <summary>Fails silo start-up, with the fix, when no default grain storage is registered (the compute grains persist there).</summary>
    private sealed class DefaultStorageCheck(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(DefaultStorageCheck), ServiceLifecycleStage.RuntimeInitialize, _ =>
            {
                if (services.GetKeyedService<IGrainStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME) is null)
                {
                    throw new InvalidOperationException(
                        "OrleansCompute's grains persist job and stream state in the silo's default grain storage, but none is registered. "
                        + "Add one when configuring the silo, e.g. silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = \"data/grain-state.db\"), "
                        + "silo.AddRedisGrainStorageAsDefault(...), silo.AddAzureBlobGrainStorageAsDefault(...) or, for tests, silo.AddMemoryGrainStorageAsDefault().");
                }

                return Task.CompletedTask;
            });
    }
}
