using OrleansCompute.Hosting;

namespace OrleansCompute.TestingHost;

/// <summary>Builds an in-process <see cref="TestCluster"/>: silos in this process over real loopback TCP,
/// sharing in-memory membership, grain directory and grain storage.</summary>
public sealed class TestClusterBuilder
{
    private readonly List<Action<ISiloBuilder>> _siloConfigurators = [];
    private readonly List<Action<Configuration.ClusterClientOptions>> _clientConfigurators = [];

    public TestClusterBuilder(int initialSilosCount = 2) => Options.InitialSilosCount = initialSilosCount;

    public TestClusterOptions Options { get; } = new();

    public TestClusterBuilder AddSiloBuilderConfigurator<TConfigurator>()
        where TConfigurator : ISiloConfigurator, new()
    {
        _siloConfigurators.Add(silo => new TConfigurator().Configure(silo));
        return this;
    }

    public TestClusterBuilder ConfigureSilos(Action<ISiloBuilder> configure)
    {
        _siloConfigurators.Add(configure);
        return this;
    }

    public TestClusterBuilder AddClientBuilderConfigurator<TConfigurator>()
        where TConfigurator : IClientBuilderConfigurator, new()
    {
        _clientConfigurators.Add(options => new TConfigurator().Configure(options));
        return this;
    }

    public TestCluster Build() => new(Options, [.. _siloConfigurators], [.. _clientConfigurators]);
}
