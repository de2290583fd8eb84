namespace OrleansCompute.Cluster;

/// <summary>What a silo tells clients about its grain classes, so clients can build grain ids without the implementations.</summary>
[GenerateSerializer]
public sealed class GrainManifest
{
    [Id(0)]
    public List<GrainManifestEntry> Grains { get; set; } = [];
}
