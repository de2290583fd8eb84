using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// A batch from one producer. <see cref="Sequence"/> identifies the batch for exactly-once: re-sending a
/// batch with the same producer id, sequence and events (after a failure or a lost acknowledgement) is
/// acknowledged without counting it again. Other events under a used (producer, sequence) are refused
/// (<see cref="IngestConflictException"/>). Sequences need not be contiguous; a producer may have up to
/// 4,096 batches in flight (a sequence more than 4,096 below the highest one seen is refused: it cannot be checked).
/// </summary>
[GenerateSerializer, Immutable]
public sealed class IngestBatch
{
    [Id(0)]
    public string ProducerId { get; set; } = "";

    [Id(1)]
    public long Sequence { get; set; }

    [Id(2)]
    public List<IngestEvent> Events { get; set; } = [];
}
