using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Kinds;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// Word count whose first map call on each partition activation throws (a transient fault): every split fails its first
/// attempt and succeeds on the retry, which the same partition activation runs. Same result as word-count.
/// </summary>
public sealed class FlakyWordCountJob(ComputeJobSpec spec) : ComputeJob<string, long, WordCountResult>
{
    public const string Kind = "flaky-word-count";

    private readonly WordCountJob _inner = new(spec);
    private int _calls;

    public override IEqualityComparer<string> KeyComparer => _inner.KeyComparer;

    public override void Map(in ComputeRecord record, Combiner<string, long> output)
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            throw new InvalidOperationException("first map call fails on purpose");
        }

        _inner.Map(record, output);
    }

    public override long Combine(long accumulated, long value) => _inner.Combine(accumulated, value);

    public override WordCountResult Finish(ComputePartial<string, long> merged) => _inner.Finish(merged);

    public override int GetStableHash(string key) => _inner.GetStableHash(key);
}
