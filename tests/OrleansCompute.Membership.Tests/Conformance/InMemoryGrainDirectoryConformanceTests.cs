using OrleansCompute.GrainDirectory;

namespace OrleansCompute.Membership.Tests.Conformance;

public sealed class InMemoryGrainDirectoryConformanceTests : GrainDirectoryConformanceTests
{
    // One instance per cluster, shared by every "silo" of that cluster, as in an in-process test cluster.
    private readonly Dictionary<string, InMemoryGrainDirectory> _clusters = [];

    protected override Task<IGrainDirectory> CreateDirectoryAsync(string clusterId)
    {
        lock (_clusters)
        {
            if (!_clusters.TryGetValue(clusterId, out var directory))
            {
                _clusters[clusterId] = directory = new InMemoryGrainDirectory();
            }

            return Task.FromResult<IGrainDirectory>(directory);
        }
    }
}
