namespace OrleansCompute.Cluster;

/// <summary>One grain class: its grain type, class name and implemented grain interfaces (full names).</summary>
[GenerateSerializer]
public sealed class GrainManifestEntry
{
    [Id(0)]
    public string GrainType { get; set; } = "";

    [Id(1)]
    public string ClassFullName { get; set; } = "";

    [Id(2)]
    public List<string> Interfaces { get; set; } = [];
}
