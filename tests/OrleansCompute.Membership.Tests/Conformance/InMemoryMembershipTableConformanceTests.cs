namespace OrleansCompute.Membership.Tests.Conformance;

public sealed class InMemoryMembershipTableConformanceTests : MembershipTableConformanceTests
{
    // One instance per cluster, shared by every "silo" of that cluster, as in an in-process test cluster.
    private readonly Dictionary<string, InMemoryMembershipTable> _clusters = [];

    protected override Task<IMembershipTable> CreateTableAsync(string clusterId)
    {
        lock (_clusters)
        {
            if (!_clusters.TryGetValue(clusterId, out var table))
            {
                _clusters[clusterId] = table = new InMemoryMembershipTable(clusterId);
            }

            return Task.FromResult<IMembershipTable>(table);
        }
    }
}
