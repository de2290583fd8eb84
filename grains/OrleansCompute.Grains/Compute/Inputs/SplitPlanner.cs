using System.Text;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// Plans the splits of an input. Text and JSON Lines files are cut at plain byte offsets every
/// <see cref="InputSpec.TargetSplitBytes"/>: a JSON string cannot hold a raw newline, so a line is always a
/// whole record and each reader realigns itself (skips the partial first line, finishes its last).
/// CSV files are different, because a quoted field may contain newlines and a reader dropped into the middle
/// of one cannot tell. So the planner reads each CSV file once, with the same quote-aware framing the readers
/// use, and cuts only at record starts (the first record start at or after each target offset). That costs
/// one sequential pass over the CSV at planning time and gives splits that are exact whatever the quoting.
/// The same pass reads the header (the first non-empty record), which every split of the file is handed,
/// and the field count records must have.
/// </summary>
public sealed class SplitPlanner(InputResolver resolver)
{
    public SplitPlan Plan(InputSpec input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.TargetSplitBytes, 1, "TargetSplitBytes");
        var files = resolver.Resolve(input.Path);
        return Plan(files, input);
    }

    /// <summary>Plans splits over already resolved files (real paths; see <see cref="InputResolver"/>).</summary>
    public static SplitPlan Plan(IReadOnlyList<InputFile> files, InputSpec input) => Plan(files, input, static file => new FileRangeReader(file.Path));

    /// <summary>Plans splits over resolved files that <paramref name="open"/> reads (local files or an <see cref="IInputSource"/>'s).</summary>
    public static SplitPlan Plan(IReadOnlyList<InputFile> files, InputSpec input, Func<InputFile, IRangeReader> open)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.TargetSplitBytes, 1, "TargetSplitBytes");
        var plan = new SplitPlan();
        for (var f = 0; f < files.Count; f++)
        {
            var file = files[f];
            plan.Files.Add(file);
            plan.TotalBytes += file.Length;
            if (input.Format == InputFormat.Csv)
            {
                PlanCsv(plan, f, file, input, open);
            }
            else
            {
                for (long start = 0; start < file.Length; start = SaturatingAdd(start, input.TargetSplitBytes))
                {
                    AddSplit(plan, f, file.Path, start, Math.Min(file.Length, SaturatingAdd(start, input.TargetSplitBytes)), header: null, fieldCount: 0);
                }
            }
        }

        return plan;
    }

    private static void PlanCsv(SplitPlan plan, int fileIndex, InputFile file, InputSpec input, Func<InputFile, IRangeReader> open)
    {
        var delimiter = checked((byte)input.Delimiter);
        string[]? header = null;
        var fieldCount = 0;
        long start = -1;
        using (var reader = new SplitRecordReader(open(file), 0, long.MaxValue, csvQuotes: true))
        {
            while (reader.TryRead(out var record, out var offset))
            {
                if (record.IsEmpty)
                {
                    continue;
                }

                if (offset == 0 && record.StartsWith("\uFEFF"u8))
                {
                    record = record[3..];
                }

                var fields = CsvRecordParser.Parse(record, delimiter, [], null, out var error);
                if (fields < 0)
                {
                    throw new ComputeInputException($"The first record of '{file.Path}' is malformed ({error}).");
                }

                fieldCount = fields;
                if (input.HasHeader)
                {
                    header = ParseHeader(record, delimiter, fields);
                    start = reader.Position;
                }
                else
                {
                    start = offset;
                }

                break;
            }
        }

        if (start < 0)
        {
            return; // no records at all
        }

        foreach (var cut in CsvCutPoints(() => open(file), start, input.TargetSplitBytes))
        {
            AddSplit(plan, fileIndex, file.Path, start, cut, header, fieldCount);
            start = cut;
        }

        if (start < file.Length)
        {
            AddSplit(plan, fileIndex, file.Path, start, file.Length, header, fieldCount);
        }
    }

    /// <summary>
    /// Record starts near every target offset: the position after the first record-ending <c>\n</c> (outside
    /// quotes) at or past each target. Between targets only quotes are looked for (to keep the parity), so a
    /// quote-free file is scanned at memchr speed. Parity carried from <paramref name="start"/> (a record start)
    /// equals the readers' per-record parity, because a record ends only where the parity is even.
    /// </summary>
    private static IEnumerable<long> CsvCutPoints(Func<IRangeReader> open, long start, long target)
    {
        using var handle = open();
        var buffer = new byte[1 << 20];
        var inQuote = false;
        var next = SaturatingAdd(start, target);
        var chunkStart = start;
        while (true)
        {
            var read = handle.Read(buffer, chunkStart);
            if (read == 0)
            {
                yield break;
            }

            var i = 0;
            while (i < read)
            {
                var searchFrom = next - 1 - chunkStart; // the '\n' that ends a record may sit just before the target
                if (i < searchFrom)
                {
                    var limit = (int)Math.Min(read, searchFrom);
                    var q = buffer.AsSpan(i, limit - i).IndexOf((byte)'"');
                    if (q < 0)
                    {
                        i = limit;
                        continue;
                    }

                    inQuote = !inQuote;
                    i += q + 1;
                    continue;
                }

                var window = buffer.AsSpan(i, read - i);
                var k = inQuote ? window.IndexOf((byte)'"') : window.IndexOfAny((byte)'"', (byte)'\n');
                if (k < 0)
                {
                    break;
                }

                i += k + 1;
                if (window[k] == (byte)'"')
                {
                    inQuote = !inQuote;
                    continue;
                }

                var cut = chunkStart + i;
                yield return cut;
                next = SaturatingAdd(cut, target);
            }

            chunkStart += read;
        }
    }

    private static string[] ParseHeader(ReadOnlySpan<byte> record, byte delimiter, int fields)
    {
        var columns = new ColumnBuffer(fields);
        var map = new int[fields];
        for (var i = 0; i < fields; i++)
        {
            map[i] = i;
        }

        CsvRecordParser.Parse(record, delimiter, map, columns, out _);
        var names = new string[fields];
        for (var i = 0; i < fields; i++)
        {
            var slot = columns.Slots[i];
            names[i] = Encoding.UTF8.GetString(slot.InScratch ? columns.Scratch.AsSpan(slot.Start, slot.Length) : record.Slice(slot.Start, slot.Length));
        }

        return names;
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static void AddSplit(SplitPlan plan, int fileIndex, string path, long start, long end, string[]? header, int fieldCount) =>
        plan.Splits.Add(new InputSplit
        {
            SplitId = plan.Splits.Count,
            FileIndex = fileIndex,
            Path = path,
            Start = start,
            End = end,
            Header = header,
            FieldCount = fieldCount,
        });
}
