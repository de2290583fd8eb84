using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Kinds;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// Word count that sleeps <c>Parameters["delayMs"]</c> per record, registered as a user kind (the engine's
/// extension point), so a job runs long enough to kill a silo or cancel it half-way. Same result as word-count.
/// </summary>
public sealed class SlowWordCountJob(ComputeJobSpec spec) : ComputeJob<string, long, WordCountResult>
{
    public const string Kind = "slow-word-count";

    private readonly WordCountJob _inner = new(spec);
    private readonly int _delayMs = spec.Parameters.TryGetValue("delayMs", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 1;

    public override IEqualityComparer<string> KeyComparer => _inner.KeyComparer;

    public static ComputeJobRegistry CreateRegistry() =>
        ComputeJobRegistry.CreateDefault()
            .Register<string, long, WordCountResult>(Kind, static spec => new SlowWordCountJob(spec))
            .Register<string, long, long>(ThrowingJob.Kind, static _ => new ThrowingJob())
            .Register<string, long, WordCountResult>(FlakyWordCountJob.Kind, static spec => new FlakyWordCountJob(spec));

    public override void Map(in ComputeRecord record, Combiner<string, long> output)
    {
        Thread.Sleep(_delayMs);
        _inner.Map(record, output);
    }

    public override long Combine(long accumulated, long value) => _inner.Combine(accumulated, value);

    public override WordCountResult Finish(ComputePartial<string, long> merged) => _inner.Finish(merged);

    public override int GetStableHash(string key) => _inner.GetStableHash(key);
}
