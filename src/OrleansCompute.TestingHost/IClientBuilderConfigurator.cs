using OrleansCompute.Configuration;

namespace OrleansCompute.TestingHost;

/// <summary>Configures the cluster client of a <see cref="TestCluster"/>.</summary>
public interface IClientBuilderConfigurator
{
    void Configure(ClusterClientOptions options);
}
