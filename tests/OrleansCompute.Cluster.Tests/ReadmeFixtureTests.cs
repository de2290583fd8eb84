using OrleansCompute.Grains.Counters;
using OrleansCompute.TestingHost;

// The README's "Testing your grains with TestCluster" example, compiled and run as written
// (only the optional filter line is left out), so the documentation cannot drift from what works.
namespace OrleansCompute.Cluster.Tests.Readme;

public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(initialSilosCount: 3)
        .Build();

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(nameof(ClusterCollection))]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;

[Collection(nameof(ClusterCollection))]
public sealed class CounterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Counter_survives_the_death_of_its_silo()
    {
        var cluster = fixture.Cluster;
        var counter = cluster.Client.GetGrain<ICounterGrain>("orders");
        await counter.Add(5);

        await cluster.KillSiloAsync(cluster.Silos[^1]);
        await cluster.WaitForLivenessToStabilizeAsync();

        Assert.Equal(5, await counter.Get());
    }
}
