using System.Text;

namespace OrleansCompute.Compute.Tests.Reference;

/// <summary>
/// Whole-file RFC 4180 reader as Python's csv module reads it, one byte at a time: a quote opens a quoted field only at
/// the start of a field; a quoted field that has not closed within <c>maxQuoted</c> bytes of its opening quote (or by
/// the end of the file) ends its record at the first '\n' after that quote.
/// </summary>
public static class ReferenceCsv
{
    public const int MaxQuoted = 1 << 20;

    /// <summary>Records of a file as (offset, bytes): a '\n' outside quotes ends one; a trailing '\r' is dropped; empty records are skipped.</summary>
    public static List<(long Offset, byte[] Bytes)> Records(byte[] file, byte delimiter, int maxQuoted = MaxQuoted)
    {
        var records = new List<(long, byte[])>();
        var start = 0;
        while (start < file.Length)
        {
            var end = RecordEnd(file, start, delimiter, maxQuoted); // index of the '\n' or file.Length
            var last = end;
            if (last > start && file[last - 1] == (byte)'\r')
            {
                last--;
            }

            if (last > start)
            {
                records.Add((start, file[start..last]));
            }

            start = end + 1;
        }

        return records;
    }

    /// <summary>The position of every '\n' that ends a record (empty ones included).</summary>
    public static List<long> RecordEnds(byte[] file, byte delimiter, int maxQuoted = MaxQuoted)
    {
        var ends = new List<long>();
        for (var start = 0; start < file.Length;)
        {
            var end = RecordEnd(file, start, delimiter, maxQuoted);
            if (end < file.Length)
            {
                ends.Add(end);
            }

            start = end + 1;
        }

        return ends;
    }

    private static int RecordEnd(byte[] file, int start, byte delimiter, int maxQuoted)
    {
        var state = 0; // 0 field start, 1 unquoted, 2 quoted, 3 quote seen inside quoted
        var quote = -1;
        for (var i = start; i < file.Length; i++)
        {
            var b = file[i];
            if (state == 2 && i > quote + maxQuoted)
            {
                return NewlineAfter(file, quote);
            }

            switch (state)
            {
                case 0 when b == (byte)'"':
                    state = 2;
                    quote = i;
                    break;
                case 3 when b == (byte)'"':
                    state = 2; // "" inside quotes
                    break;
                case 0 or 1 or 3 when b == (byte)'\n':
                    return i;
                case 0 or 1 or 3 when b == delimiter:
                    state = 0;
                    break;
                case 0 or 1 or 3:
                    state = 1;
                    break;
                case 2 when b == (byte)'"':
                    state = 3;
                    break;
                default:
                    break;
            }
        }

        return state == 2 ? NewlineAfter(file, quote) : file.Length;
    }

    private static int NewlineAfter(byte[] file, int quote)
    {
        var newline = Array.IndexOf(file, (byte)'\n', quote + 1);
        return newline < 0 ? file.Length : newline;
    }

    /// <summary>Fields of one record, or null with an error.</summary>
    public static List<string>? Fields(byte[] record, byte delimiter, out string? error)
    {
        error = null;
        var fields = new List<string>();
        var current = new List<byte>();
        var state = 0; // 0 field start, 1 unquoted, 2 quoted, 3 quote seen inside quoted
        foreach (var b in record)
        {
            switch (state)
            {
                case 0 when b == (byte)'"':
                    state = 2;
                    break;
                case 0 or 1 when b == delimiter:
                    fields.Add(Encoding.UTF8.GetString([.. current]));
                    current.Clear();
                    state = 0;
                    break;
                case 0 or 1:
                    current.Add(b);
                    state = 1;
                    break;
                case 2 when b == (byte)'"':
                    state = 3;
                    break;
                case 2:
                    current.Add(b);
                    break;
                case 3 when b == (byte)'"':
                    current.Add(b);
                    state = 2;
                    break;
                case 3 when b == delimiter:
                    fields.Add(Encoding.UTF8.GetString([.. current]));
                    current.Clear();
                    state = 0;
                    break;
                default:
                    error = "unexpected character after the closing quote";
                    return null;
            }
        }

        if (state == 2)
        {
            error = "quoted field is not closed";
            return null;
        }

        fields.Add(Encoding.UTF8.GetString([.. current]));
        return fields;
    }
}
