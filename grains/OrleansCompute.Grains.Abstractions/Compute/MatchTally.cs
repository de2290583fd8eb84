using Orleans;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute;

/// <summary>Partial of filter-count: matching lines and the first few of them in (path, offset) order.</summary>
[GenerateSerializer]
[StructLayout(LayoutKind.Auto)]
public struct MatchTally : IEquatable<MatchTally>
{
    [Id(0)]
    public long Matches { get; set; }

    [Id(1)]
    public List<MatchSample>? Samples { get; set; }

    public readonly bool Equals(MatchTally other) => Matches == other.Matches && ReferenceEquals(Samples, other.Samples);

    public override readonly bool Equals(object? obj) => obj is MatchTally other && Equals(other);

    public override readonly int GetHashCode() => Matches.GetHashCode();

    public static bool operator ==(MatchTally left, MatchTally right) => left.Equals(right);

    public static bool operator !=(MatchTally left, MatchTally right) => !left.Equals(right);
}
