using Orleans;

namespace OrleansCompute.Persistence.Tests.Support;

/// <summary>A typical mutable grain state: properties, a public field, collections and binary data.</summary>
[GenerateSerializer]
public sealed class ProfileState
{
    [Id(0)]
    public string Name { get; set; } = "";

    [Id(1)]
    public int Visits { get; set; }

    [Id(2)]
    public List<string> Tags { get; set; } = [];

    [Id(3)]
    public Dictionary<string, long> Counters { get; set; } = [];

    [Id(4)]
    public byte[] Blob { get; set; } = [];

    // A public field on purpose: storage serializers must include fields, not only properties.
#pragma warning disable CA1051
    [Id(5)]
    public long Revision;
#pragma warning restore CA1051
}
