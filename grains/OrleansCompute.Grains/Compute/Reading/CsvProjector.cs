using System.Globalization;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// Projects CSV records onto a job's columns. Columns are header names (ordinal) or, without a header,
/// 0-based field indexes. Every record must have the file's field count (header's, or the first record's).
/// </summary>
internal sealed class CsvProjector : RecordProjector
{
    private readonly int[] _fieldToColumn;
    private readonly int _fieldCount;
    private readonly byte _delimiter;
    private readonly int _lastNeededField;

    public CsvProjector(InputSplit split, IReadOnlyList<string> columns, char delimiter)
    {
        _delimiter = checked((byte)delimiter);
        _fieldCount = split.FieldCount;
        var indexes = new int[columns.Count];
        var width = split.FieldCount;
        for (var c = 0; c < columns.Count; c++)
        {
            indexes[c] = FindField(split, columns[c]);
            width = Math.Max(width, indexes[c] + 1);
        }

        _fieldToColumn = new int[width];
        _fieldToColumn.AsSpan().Fill(-1);
        for (var c = 0; c < indexes.Length; c++)
        {
            _fieldToColumn[indexes[c]] = c;
            _lastNeededField = Math.Max(_lastNeededField, indexes[c]);
        }
    }

    /// <summary>Per field index, the column it fills (-1: not requested); at least as long as the last requested field + 1.</summary>
    public ReadOnlySpan<int> FieldToColumn => _fieldToColumn;

    /// <summary>The field count every record must have (0: at least <see cref="FieldToColumn"/>'s length).</summary>
    public int FieldCount => _fieldCount;

    /// <summary>The highest field index a column is taken from.</summary>
    public int LastNeededField => _lastNeededField;

    public byte Delimiter => _delimiter;

    /// <summary>Whether a record with <paramref name="fields"/> fields has the right shape (else <see cref="TryProject"/> gives the error).</summary>
    public bool HasExpectedFieldCount(int fields) => _fieldCount > 0 ? fields == _fieldCount : fields >= _fieldToColumn.Length;

    public override bool TryProject(ReadOnlySpan<byte> record, ColumnBuffer columns, out string? error)
    {
        columns.Reset();
        var fields = CsvRecordParser.Parse(record, _delimiter, _fieldToColumn, columns, out error);
        if (fields < 0)
        {
            return false;
        }

        if (_fieldCount > 0 ? fields != _fieldCount : fields < _fieldToColumn.Length)
        {
            error = $"expected {(_fieldCount > 0 ? _fieldCount : _fieldToColumn.Length)} fields, found {fields}";
            return false;
        }

        return true;
    }

    /// <summary>
    /// The fast case of <see cref="TryProject"/> for a record with no quote character (the reader knows): fields are
    /// the runs between delimiters, counted with one vectorized pass and located only up to the last requested one.
    /// False when the field count is wrong: <see cref="TryProject"/> then gives the error.
    /// </summary>
    public bool TryProjectUnquoted(ReadOnlySpan<byte> record, ColumnBuffer columns)
    {
        var fields = record.Count(_delimiter) + 1;
        if (!HasExpectedFieldCount(fields))
        {
            return false;
        }

        var start = 0;
        for (var f = 0; f <= _lastNeededField; f++)
        {
            var k = record[start..].IndexOf(_delimiter);
            var end = k < 0 ? record.Length : start + k;
            var column = _fieldToColumn[f];
            if (column >= 0)
            {
                columns.Set(column, start, end - start, ColumnValueKind.Text);
            }

            start = end + 1;
        }

        return true;
    }

    private static int FindField(InputSplit split, string column)
    {
        if (split.Header is { } header)
        {
            var index = Array.IndexOf(header, column);
            if (index < 0)
            {
                throw new ComputeInputException($"Column '{column}' is not in the header of '{split.Path}' (columns: {string.Join(", ", header)}).");
            }

            return index;
        }

        if (!int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out var field))
        {
            throw new ComputeInputException($"'{split.Path}' has no header, so column '{column}' must be a 0-based field index.");
        }

        if (split.FieldCount > 0 && field >= split.FieldCount)
        {
            throw new ComputeInputException($"Column {field} does not exist in '{split.Path}' ({split.FieldCount} fields).");
        }

        return field;
    }
}
