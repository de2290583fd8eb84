namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// Splits one CSV record (RFC 4180, read as Python's <c>csv</c> module and DuckDB read it) into fields: a field that
/// starts with <c>"</c> is quoted — <c>""</c> stands for one quote, delimiters and newlines are data, and the closing
/// quote must be followed by a delimiter or the end of the record; any other field runs to the next delimiter, and a
/// <c>"</c> in it is a literal character (<c>ab"c</c> is the three characters it shows). The record's own terminator is
/// already gone. Fields the caller asks for (by field index) are stored in the column buffer, unescaped; the rest are
/// only counted.
/// </summary>
internal static class CsvRecordParser
{
    /// <returns>The number of fields, or -1 with <paramref name="error"/> set when the record is malformed.</returns>
    public static int Parse(ReadOnlySpan<byte> record, byte delimiter, ReadOnlySpan<int> fieldToColumn, ColumnBuffer? columns, out string? error)
    {
        error = null;
        var field = 0;
        var i = 0;
        while (true)
        {
            var column = field < fieldToColumn.Length ? fieldToColumn[field] : -1;
            if (i < record.Length && record[i] == (byte)'"')
            {
                var j = i + 1;
                var escaped = false;
                while (true)
                {
                    var q = record[j..].IndexOf((byte)'"');
                    if (q < 0)
                    {
                        // Only a record cut by the resynchronising rule (CsvRecordScanner) gets here.
                        error = $"field {field + 1}: quoted field is not closed (within {CsvRecordScanner.MaxQuotedFieldBytes >> 20} MiB or before the end of the file), so the record ends at the first line end after its opening quote";
                        return -1;
                    }

                    j += q;
                    if (j + 1 < record.Length && record[j + 1] == (byte)'"')
                    {
                        escaped = true;
                        j += 2;
                        continue;
                    }

                    break;
                }

                var after = j + 1;
                if (after < record.Length && record[after] != delimiter)
                {
                    error = $"field {field + 1}: unexpected character after the closing quote";
                    return -1;
                }

                if (column >= 0 && columns is not null)
                {
                    var content = record[(i + 1)..j];
                    if (escaped)
                    {
                        var target = columns.SetInScratch(column, content.Length, ColumnValueKind.Text);
                        var written = Unescape(content, target);
                        columns.ShrinkLast(column, written);
                    }
                    else
                    {
                        columns.Set(column, i + 1, content.Length, ColumnValueKind.Text);
                    }
                }

                i = after;
            }
            else
            {
                var k = record[i..].IndexOf(delimiter);
                var end = k < 0 ? record.Length : i + k;
                if (column >= 0)
                {
                    columns?.Set(column, i, end - i, ColumnValueKind.Text);
                }

                i = end;
            }

            field++;
            if (i >= record.Length)
            {
                return field;
            }

            i++; // the delimiter; a delimiter at the very end is followed by one empty field
        }
    }

    private static int Unescape(ReadOnlySpan<byte> content, Span<byte> target)
    {
        var written = 0;
        for (var i = 0; i < content.Length; i++)
        {
            target[written++] = content[i];
            if (content[i] == (byte)'"')
            {
                i++; // skip the second quote of a doubled pair
            }
        }

        return written;
    }
}
