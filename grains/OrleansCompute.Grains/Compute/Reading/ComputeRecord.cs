using System.Text;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// One record as a job's map sees it: its raw UTF-8 bytes, where it starts, and — for CSV and JSON Lines —
/// the job's requested columns, already unescaped. Valid only during the map call.
/// </summary>
public readonly ref struct ComputeRecord
{
    private readonly ColumnBuffer? _columns;

    internal ComputeRecord(ReadOnlySpan<byte> bytes, ColumnBuffer? columns, string path, long offset)
    {
        Bytes = bytes;
        _columns = columns;
        Path = path;
        Offset = offset;
    }

    /// <summary>The record's bytes without its terminator (and without a final <c>\r</c>).</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public string Path { get; }

    /// <summary>Byte offset of the record in its file.</summary>
    public long Offset { get; }

    /// <summary>Number of requested columns (the job's <c>Columns</c>).</summary>
    public int ColumnCount => _columns?.Count ?? 0;

    public ColumnValueKind GetKind(int column) => GetColumns().Slots[column].Kind;

    /// <summary>The column's UTF-8 text: the unescaped field or string, the number's text, <c>true</c>/<c>false</c>; empty when missing or null.</summary>
    public ReadOnlySpan<byte> GetColumn(int column)
    {
        var columns = GetColumns();
        var slot = columns.Slots[column];
        return slot.InScratch ? columns.Scratch.AsSpan(slot.Start, slot.Length) : Bytes.Slice(slot.Start, slot.Length);
    }

    public string GetString(int column) => Encoding.UTF8.GetString(GetColumn(column));

    /// <summary>Whether the column holds no value: missing, null, or an empty string.</summary>
    public bool IsEmpty(int column)
    {
        var slot = GetColumns().Slots[column];
        return slot.Kind is ColumnValueKind.Missing or ColumnValueKind.Null || slot.Length == 0;
    }

    /// <summary>Parses the column as an invariant-culture decimal number (see <see cref="DecimalText"/>).</summary>
    public bool TryGetDecimal(int column, out decimal value) => DecimalText.TryParse(GetColumn(column), out value);

    private ColumnBuffer GetColumns() =>
        _columns ?? throw new InvalidOperationException("This record has no columns: the job names none, or the input format is Text.");
}
