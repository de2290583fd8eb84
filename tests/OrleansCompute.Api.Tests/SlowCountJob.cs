using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Kinds;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Api.Tests;

/// <summary>A user kind (registered in the test silos) that sleeps <c>parameters.delayMs</c> per record, so a job is still running when the test looks.</summary>
public sealed class SlowCountJob(ComputeJobSpec spec) : ComputeJob<string, long, WordCountResult>
{
    public const string Kind = "api-slow-count";

    private readonly WordCountJob _inner = new(spec);
    private readonly int _delayMs = spec.Parameters.TryGetValue("delayMs", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 1;

    public override IEqualityComparer<string> KeyComparer => _inner.KeyComparer;

    public override void Map(in ComputeRecord record, Combiner<string, long> output)
    {
        Thread.Sleep(_delayMs);
        _inner.Map(record, output);
    }

    public override long Combine(long accumulated, long value) => _inner.Combine(accumulated, value);

    public override WordCountResult Finish(ComputePartial<string, long> merged) => _inner.Finish(merged);

    public override int GetStableHash(string key) => _inner.GetStableHash(key);
}
