using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OrleansCompute.Serialization;

namespace OrleansCompute.Benchmarks.Serialization;

/// <summary>Serialize + deserialize round trip of a small and a medium DTO: binary serializer vs System.Text.Json.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SerializerBenchmarks
{
    private static readonly JsonSerializerOptions s_json = new();
    private SmallDto _small = null!;
    private MediumDto _medium = null!;

    [GlobalSetup]
    public void Setup()
    {
        _small = new SmallDto { Id = 42, Name = "partition-17", Score = 0.875, Active = true, Timestamp = 638_000_000_000_000_000 };
        _medium = new MediumDto
        {
            JobId = Guid.NewGuid(),
            Description = "word count over /data/input/*.txt",
            CreatedAt = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc),
            Items = Enumerable.Range(0, 20).Select(i => new LineItem { Sku = "sku-" + i, Quantity = i, Price = i * 1.25m }).ToList(),
            Counters = Enumerable.Range(0, 10).ToDictionary(i => "counter-" + i, i => (long)i * 1000),
            Splits = Enumerable.Range(0, 32).ToArray(),
            Owner = _small,
        };
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Small")]
    public SmallDto SmallSystemTextJson() => JsonSerializer.Deserialize<SmallDto>(JsonSerializer.SerializeToUtf8Bytes(_small, s_json), s_json)!;

    [Benchmark]
    [BenchmarkCategory("Small")]
    public SmallDto SmallBinary() => Serializer.Deserialize<SmallDto>(Serializer.Serialize(_small));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Medium")]
    public MediumDto MediumSystemTextJson() => JsonSerializer.Deserialize<MediumDto>(JsonSerializer.SerializeToUtf8Bytes(_medium, s_json), s_json)!;

    [Benchmark]
    [BenchmarkCategory("Medium")]
    public MediumDto MediumBinary() => Serializer.Deserialize<MediumDto>(Serializer.Serialize(_medium));
}
