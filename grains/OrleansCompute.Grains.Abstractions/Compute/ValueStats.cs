using Orleans;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute;

/// <summary>
/// Count, sum, min and max of the non-missing values of one column in one group. Sums are
/// <see cref="decimal"/>: values are parsed exactly from their decimal text and added without rounding
/// (within 28 significant digits), so any order of merges gives the same sum and mean.
/// </summary>
[GenerateSerializer]
[StructLayout(LayoutKind.Auto)]
public struct ValueStats : IEquatable<ValueStats>
{
    [Id(0)]
    public long Count { get; set; }

    [Id(1)]
    public decimal Sum { get; set; }

    [Id(2)]
    public decimal Min { get; set; }

    [Id(3)]
    public decimal Max { get; set; }

    public void Add(decimal value)
    {
        if (Count == 0)
        {
            Min = value;
            Max = value;
        }
        else
        {
            if (value < Min)
            {
                Min = value;
            }

            if (value > Max)
            {
                Max = value;
            }
        }

        Count++;
        Sum += value;
    }

    public void Merge(in ValueStats other)
    {
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            this = other;
            return;
        }

        Count += other.Count;
        Sum += other.Sum;
        if (other.Min < Min)
        {
            Min = other.Min;
        }

        if (other.Max > Max)
        {
            Max = other.Max;
        }
    }

    public readonly bool Equals(ValueStats other) => Count == other.Count && Sum == other.Sum && Min == other.Min && Max == other.Max;

    public override readonly bool Equals(object? obj) => obj is ValueStats other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Count, Sum, Min, Max);

    public static bool operator ==(ValueStats left, ValueStats right) => left.Equals(right);

    public static bool operator !=(ValueStats left, ValueStats right) => !left.Equals(right);
}
