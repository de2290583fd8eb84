using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// The projected columns of the current record: for each requested column, where its (unescaped) UTF-8
/// value lies — in the record itself, or in a scratch buffer when unescaping changed it. Reused per record.
/// </summary>
internal sealed class ColumnBuffer(int columns)
{
    private byte[] _scratch = new byte[256];
    private int _scratchUsed;

    public Slot[] Slots { get; } = new Slot[columns];

    public int Count => Slots.Length;

    public byte[] Scratch => _scratch;

    public void Reset()
    {
        Slots.AsSpan().Clear();
        _scratchUsed = 0;
    }

    public void Set(int column, int start, int length, ColumnValueKind kind) =>
        Slots[column] = new Slot(start, length, kind, InScratch: false);

    /// <summary>Reserves <paramref name="length"/> scratch bytes for a column's unescaped value.</summary>
    public Span<byte> SetInScratch(int column, int length, ColumnValueKind kind)
    {
        if (_scratchUsed + length > _scratch.Length)
        {
            Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchUsed + length));
        }

        Slots[column] = new Slot(_scratchUsed, length, kind, InScratch: true);
        var span = _scratch.AsSpan(_scratchUsed, length);
        _scratchUsed += length;
        return span;
    }

    /// <summary>Gives back the unused tail of the last scratch reservation.</summary>
    public void ShrinkLast(int column, int actualLength)
    {
        var slot = Slots[column];
        _scratchUsed -= slot.Length - actualLength;
        Slots[column] = slot with { Length = actualLength };
    }

    [StructLayout(LayoutKind.Auto)]
    internal readonly record struct Slot(int Start, int Length, ColumnValueKind Kind, bool InScratch);
}
