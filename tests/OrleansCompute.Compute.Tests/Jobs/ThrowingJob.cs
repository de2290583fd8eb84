using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>A user kind whose map always throws (a bug in user code): its splits fail every attempt.</summary>
public sealed class ThrowingJob : ComputeJob<string, long, long>
{
    public const string Kind = "throwing";

    public override void Map(in ComputeRecord record, Combiner<string, long> output) => throw new InvalidOperationException("map failed on purpose");

    public override long Combine(long accumulated, long value) => accumulated + value;

    public override long Finish(ComputePartial<string, long> merged) => merged.Entries.Count;
}
