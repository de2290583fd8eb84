using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>The acknowledgement of an <see cref="IngestBatch"/>: once returned, its events are persisted and visible to queries.</summary>
[GenerateSerializer, Immutable]
public sealed class IngestAck
{
    [Id(0)]
    public long Sequence { get; set; }

    /// <summary>Events counted by this call (0 when the whole batch was a duplicate).</summary>
    [Id(1)]
    public int Applied { get; set; }

    /// <summary>Events skipped because their part of the batch had already been applied.</summary>
    [Id(2)]
    public int Duplicates { get; set; }
}
