using Orleans;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute;

/// <summary>The accumulator of one group: its record count and one <see cref="ValueStats"/> per value column.</summary>
[GenerateSerializer]
[StructLayout(LayoutKind.Auto)]
public struct GroupAccumulator : IEquatable<GroupAccumulator>
{
    [Id(0)]
    public long Rows { get; set; }

    /// <summary>One entry per distinct value column of the job, in the job's column order.</summary>
    [Id(1)]
    public ValueStats[] Columns { get; set; }

    public readonly bool Equals(GroupAccumulator other)
    {
        if (Rows != other.Rows || Columns.Length != other.Columns.Length)
        {
            return false;
        }

        for (var i = 0; i < Columns.Length; i++)
        {
            if (!Columns[i].Equals(other.Columns[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override readonly bool Equals(object? obj) => obj is GroupAccumulator other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Rows, Columns.Length);

    public static bool operator ==(GroupAccumulator left, GroupAccumulator right) => left.Equals(right);

    public static bool operator !=(GroupAccumulator left, GroupAccumulator right) => !left.Equals(right);
}
