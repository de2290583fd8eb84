using Orleans;

namespace OrleansCompute.Grains.Compute;

[GenerateSerializer]
public sealed class WordFrequency
{
    [Id(0)]
    public string Word { get; set; } = "";

    [Id(1)]
    public long Count { get; set; }

    public override string ToString() => $"{Word}: {Count}";
}
