using Orleans;

namespace OrleansCompute.Benchmarks.Serialization;

[GenerateSerializer]
public sealed class SmallDto
{
    [Id(0)] public int Id { get; set; }
    [Id(1)] public string Name { get; set; } = string.Empty;
    [Id(2)] public double Score { get; set; }
    [Id(3)] public bool Active { get; set; }
    [Id(4)] public long Timestamp { get; set; }
}

[GenerateSerializer]
public sealed class MediumDto
{
    [Id(0)] public Guid JobId { get; set; }
    [Id(1)] public string Description { get; set; } = string.Empty;
    [Id(2)] public DateTime CreatedAt { get; set; }
    [Id(3)] public List<LineItem> Items { get; set; } = [];
    [Id(4)] public Dictionary<string, long> Counters { get; set; } = [];
    [Id(5)] public int[] Splits { get; set; } = [];
    [Id(6)] public SmallDto? Owner { get; set; }
}

[GenerateSerializer]
public sealed class LineItem
{
    [Id(0)] public string Sku { get; set; } = string.Empty;
    [Id(1)] public int Quantity { get; set; }
    [Id(2)] public decimal Price { get; set; }
}
