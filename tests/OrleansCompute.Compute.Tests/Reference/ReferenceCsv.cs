using System.Text;

namespace OrleansCompute.Compute.Tests.Reference;

/// <summary>Whole-file RFC 4180 reader: quote-parity framing, then a character state machine per record.</summary>
public static class ReferenceCsv
{
    /// <summary>Records of a file as (offset, bytes): a '\n' outside quotes ends one; a trailing '\r' is dropped; empty records are skipped.</summary>
    public static List<(long Offset, byte[] Bytes)> Records(byte[] file)
    {
        var records = new List<(long, byte[])>();
        var start = 0;
        var inQuote = false;
        for (var i = 0; i <= file.Length; i++)
        {
            if (i < file.Length && file[i] == (byte)'"')
            {
                inQuote = !inQuote;
                continue;
            }

            if (i == file.Length || file[i] == (byte)'\n' && !inQuote)
            {
                var end = i;
                if (end > start && file[end - 1] == (byte)'\r')
                {
                    end--;
                }

                if (end > start)
                {
                    records.Add((start, file[start..end]));
                }

                start = i + 1;
                inQuote = false;
            }
        }

        return records;
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
                case 0 or 1 when b == (byte)'"':
                    error = "quote inside an unquoted field";
                    return null;
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
