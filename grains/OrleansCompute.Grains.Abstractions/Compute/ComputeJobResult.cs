using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>The outcome of a finished job: what was read, the bad records, and the kind's own result.</summary>
[GenerateSerializer, Immutable]
public sealed class ComputeJobResult
{
    [Id(0)]
    public string JobId { get; set; } = "";

    [Id(1)]
    public string Kind { get; set; } = "";

    [Id(2)]
    public long Records { get; set; }

    [Id(3)]
    public int Splits { get; set; }

    [Id(4)]
    public BadRecordSummary BadRecords { get; set; } = new();

    /// <summary>
    /// The kind's result: <see cref="WordCountResult"/>, <see cref="GroupByResult"/>, <see cref="FilterCountResult"/>,
    /// or a user kind's own type (which must itself be serializable to cross silos).
    /// </summary>
    [Id(5)]
    public object? Value { get; set; }
}
