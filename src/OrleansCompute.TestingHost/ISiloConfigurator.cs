using OrleansCompute.Hosting;

namespace OrleansCompute.TestingHost;

/// <summary>Configures every silo of a <see cref="TestCluster"/> (register with <see cref="TestClusterBuilder.AddSiloBuilderConfigurator{T}"/>).</summary>
public interface ISiloConfigurator
{
    void Configure(ISiloBuilder siloBuilder);
}
