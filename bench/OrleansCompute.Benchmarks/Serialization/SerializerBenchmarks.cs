using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansCompute.Benchmarks.Serialization;

/// <summary>
/// Serialize + deserialize round trip of a small and a medium DTO: Orleans's serializer (what grain calls between silos
/// and our grain state use; <c>[GenerateSerializer]</c> codecs) vs System.Text.Json. <c>*OrleansDeepCopy</c>: what a
/// local grain call pays per argument or result that is not <c>[Immutable]</c> (Orleans deep-copies those).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SerializerBenchmarks
{
    private static readonly JsonSerializerOptions s_json = new();
    private SmallDto _small = null!;
    private MediumDto _medium = null!;
    private Serializer _serializer = null!;
    private DeepCopier _copier = null!;
    private ServiceProvider _services = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(SmallDto).Assembly)).BuildServiceProvider();
        _serializer = _services.GetRequiredService<Serializer>();
        _copier = _services.GetRequiredService<DeepCopier>();
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
    public SmallDto SmallOrleans() => _serializer.Deserialize<SmallDto>(_serializer.SerializeToArray(_small))!;

    [Benchmark]
    [BenchmarkCategory("Small")]
    public SmallDto SmallOrleansDeepCopy() => _copier.Copy(_small)!;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Medium")]
    public MediumDto MediumSystemTextJson() => JsonSerializer.Deserialize<MediumDto>(JsonSerializer.SerializeToUtf8Bytes(_medium, s_json), s_json)!;

    [Benchmark]
    [BenchmarkCategory("Medium")]
    public MediumDto MediumOrleans() => _serializer.Deserialize<MediumDto>(_serializer.SerializeToArray(_medium))!;

    [Benchmark]
    [BenchmarkCategory("Medium")]
    public MediumDto MediumOrleansDeepCopy() => _copier.Copy(_medium)!;

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();
}
