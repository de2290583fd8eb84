using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Messaging;

namespace OrleansCompute.Activation;

/// <summary>What every activation of a silo shares, so an activation holds one reference instead of many.</summary>
internal sealed class ActivationServices(
    IServiceProvider services,
    RequestExecutor executor,
    IOptions<MessagingOptions> messagingOptions,
    IOptions<GrainCollectionOptions> collectionOptions,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    public IServiceProvider Services { get; } = services;

    public RequestExecutor Executor { get; } = executor;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public int TurnBatch { get; } = Math.Max(1, messagingOptions.Value.ActivationTurnBatch);

    public GrainCollectionOptions Collection { get; } = collectionOptions.Value;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("OrleansCompute.Activation");

    /// <summary>Set once the silo's runtime is built (breaks the construction cycle catalog ↔ dispatcher).</summary>
    public LocalGrainRuntime GrainRuntime { get; set; } = null!;

    public Catalog Catalog { get; set; } = null!;

    /// <summary>Grain calls executed by this silo (feeds <see cref="Telemetry.SiloStatistics"/>).</summary>
    public Telemetry.CallCounter Calls { get; } = new();
}
