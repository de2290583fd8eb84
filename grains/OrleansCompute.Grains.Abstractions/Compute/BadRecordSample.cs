using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>One bad record: where it starts and why it was rejected.</summary>
[GenerateSerializer]
public sealed class BadRecordSample
{
    [Id(0)]
    public string Path { get; set; } = "";

    /// <summary>Byte offset of the record's first byte in the file.</summary>
    [Id(1)]
    public long Offset { get; set; }

    [Id(2)]
    public string Reason { get; set; } = "";

    public override string ToString() => $"{Path} at byte {Offset}: {Reason}";
}
