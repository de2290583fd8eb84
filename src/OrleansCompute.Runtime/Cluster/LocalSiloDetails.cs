using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Runtime;

namespace OrleansCompute.Cluster;

internal sealed class LocalSiloDetails(ClusterSilo cluster, IOptions<SiloOptions> options) : ILocalSiloDetails
{
    public SiloAddress? SiloAddress => cluster.Address;

    public string Name => options.Value.SiloName;
}
