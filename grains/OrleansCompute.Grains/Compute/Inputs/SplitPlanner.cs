using System.Runtime.CompilerServices;
using System.Text;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// Plans the splits of an input. Text and JSON Lines files are cut at plain byte offsets every
/// <see cref="InputSpec.TargetSplitBytes"/>: a JSON string cannot hold a raw newline, so a line is always a
/// whole record and each reader realigns itself (skips the partial first line, finishes its last).
/// CSV files are different, because a quoted field may contain newlines and a reader dropped into the middle
/// of one cannot tell. So the planner cuts only at record starts (the first record start at or after each target
/// offset), as the same quote-aware framing the readers use finds them: large splits from the bytes just before each
/// cut when no quote lies there (<see cref="NearCutPoints"/>), otherwise by one sequential pass over the CSV (several
/// readers at once for a quote-free file cut into small splits). Either way the splits are exact whatever the quoting.
/// The same pass reads the header (the first non-empty record), which every split of the file is handed,
/// and the field count records must have.
/// Small files are then packed: consecutive pieces (whole small files, the tail of a large one) share a split up to
/// the target size, each counted with <see cref="DefaultFileOpenCostBytes"/> (or the caller's cost) on top of its bytes,
/// so a directory of thousands of small files makes about as many splits as the same bytes in one file
/// (see <see cref="SplitPacking"/>).
/// </summary>
public sealed class SplitPlanner(InputResolver resolver)
{
    /// <summary>
    /// What opening one more file costs, in bytes of reading, when small files are packed into splits (Spark's
    /// <c>openCostInBytes</c>): a piece of a file counts as its length plus this. Measured for local files (open, one
    /// read, close, a fresh reader) on the machine the benchmarks run on; see the Compute README.
    /// </summary>
    public const long DefaultFileOpenCostBytes = 8L << 10;

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
    public static SplitPlan Plan(IReadOnlyList<InputFile> files, InputSpec input, Func<InputFile, IRangeReader> open) =>
        Plan(files, input, open, DefaultFileOpenCostBytes);

    /// <summary>
    /// Plans splits over resolved files that <paramref name="open"/> reads, packing small files with
    /// <paramref name="fileOpenCostBytes"/> counted per file piece (0: bytes alone decide).
    /// </summary>
    public static SplitPlan Plan(IReadOnlyList<InputFile> files, InputSpec input, Func<InputFile, IRangeReader> open, long fileOpenCostBytes)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.TargetSplitBytes, 1, "TargetSplitBytes");
        ArgumentOutOfRangeException.ThrowIfNegative(fileOpenCostBytes);
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

        // Every file is cut into pieces of at most the target size above (one piece per small file); now consecutive
        // pieces share splits.
        plan.Splits = SplitPacking.Pack(plan.Splits, input.TargetSplitBytes, fileOpenCostBytes);
        return plan;
    }

    private static void PlanCsv(SplitPlan plan, int fileIndex, InputFile file, InputSpec input, Func<InputFile, IRangeReader> open)
    {
        var delimiter = checked((byte)input.Delimiter);
        string[]? header = null;
        var fieldCount = 0;
        long start = -1;
        using (var reader = new SplitRecordReader(open(file), 0, long.MaxValue, csvQuotes: true, csvDelimiter: input.Delimiter))
        {
            while (reader.TryRead(out var record, out var offset))
            {
                if (record.IsEmpty)
                {
                    continue;
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

        IEnumerable<long> cuts = file.Length - start <= input.TargetSplitBytes
            ? [] // one piece: nothing to cut, so no second read of the file (thousands of small CSV files)
            : (input.TargetSplitBytes >= NearCutMinTarget
                ? NearCutPoints(() => open(file), start, file.Length, input.TargetSplitBytes)
                : QuoteFreeCutPoints(() => open(file), start, file.Length, input.TargetSplitBytes, ParallelPlanReaders(file.Length - start)))
                ?? CsvCutPoints(() => open(file), start, input.TargetSplitBytes, delimiter);
        foreach (var cut in cuts)
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
    /// Splits at least this large are cut by <see cref="NearCutPoints"/>, which reads about <see cref="CsvRecordScanner.MaxQuotedFieldBytes"/>
    /// before each cut (at most a quarter of the file); smaller ones by the readers that go through the whole file.
    /// </summary>
    private const long NearCutMinTarget = 4L * CsvRecordScanner.MaxQuotedFieldBytes;

    /// <summary>
    /// Cut points found by reading only the bytes just before each cut, or null when a quote lies among them (the caller
    /// then takes the quote-aware pass over the whole file). Each cut is the position after the first <c>\n</c> at or past
    /// its target's last byte, as in <see cref="CsvCutPoints"/>; it is kept when no <c>"</c> lies in the
    /// <paramref name="maxQuotedFieldBytes"/> + 1 bytes before that <c>\n</c> (and after <paramref name="start"/>). That
    /// proves the <c>\n</c> ends a record, whatever came before: a quoted field stays open at most
    /// <paramref name="maxQuotedFieldBytes"/> bytes past its opening quote (<see cref="CsvRecordScanner"/>'s resynchronising
    /// rule), so a <c>\n</c> can be inside one only when an opening quote lies within that distance before it. And since
    /// it is the first <c>\n</c> at or past the target, it is the first record end there: the quote-aware pass's cut.
    /// The 106 MB flights CSV in 4 splits reads 3 MiB here instead of the whole file.
    /// </summary>
    internal static List<long>? NearCutPoints(Func<IRangeReader> open, long start, long length, long target, int maxQuotedFieldBytes = CsvRecordScanner.MaxQuotedFieldBytes)
    {
        var cuts = new List<long>();
        if (length - start <= target)
        {
            return cuts; // one split: nothing to cut
        }

        using var handle = open();
        var buffer = new byte[PlanBufferBytes];
        var search = SaturatingAdd(start, target) - 1; // the '\n' that ends a record may sit just before the target
        var clean = start; // [start, clean) is known to hold no quote
        while (search < length)
        {
            // Read from the start of the window before the '\n' (or where the last one ended) up to that '\n', which is
            // the first one at or past search; every byte read must be quote-free (more than the window when a record
            // is longer than it: stricter than needed, never wrong).
            var position = Math.Max(clean, search - maxQuotedFieldBytes - 1);
            long newline = -1;
            while (newline < 0 && position < length)
            {
                var read = handle.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - position)), position);
                if (read == 0)
                {
                    break;
                }

                var chunk = buffer.AsSpan(0, read);
                var from = (int)Math.Clamp(search - position, 0, read);
                var found = chunk[from..].IndexOf((byte)'\n');
                var checkedBytes = found < 0 ? read : from + found;
                if (chunk[..checkedBytes].Contains((byte)'"'))
                {
                    return null;
                }

                newline = found < 0 ? -1 : position + from + found;
                position += read;
            }

            if (newline < 0 || newline + 1 >= length)
            {
                break; // the last record runs to the end of the file
            }

            var cut = newline + 1;
            cuts.Add(cut);
            clean = cut;
            search = NextTarget(start, cut, target) - 1; // the next target whose search start is at or past this cut
        }

        return cuts;
    }

    /// <summary>Files smaller than this are planned by one reader: below it a second thread costs more than it saves.</summary>
    private const long ParallelPlanMinBytes = 32L << 20;

    /// <summary>Planning reads: small enough that what a read copies is still in the L2 cache when it is searched (1 MiB reads were 20 % slower).</summary>
    private const int PlanBufferBytes = 256 << 10;

    private static int ParallelPlanReaders(long bytes) =>
        bytes < ParallelPlanMinBytes ? 1 : (int)Math.Clamp(bytes / (16L << 20), 1, Math.Min(Environment.ProcessorCount, 4));

    /// <summary>
    /// The cut points of a file holding no quote at all after <paramref name="start"/>, found by <paramref name="readers"/>
    /// readers at once, each over its own stretch; null as soon as any of them meets a quote (the caller then takes the
    /// quote-aware pass). Without quotes every <c>\n</c> ends a record, so each cut is just the position after the first
    /// <c>\n</c> at or past its target's last byte — the same cuts <see cref="CsvCutPoints"/> gives.
    /// </summary>
    internal static List<long>? QuoteFreeCutPoints(Func<IRangeReader> open, long start, long length, long target, int readers)
    {
        if (readers <= 1)
        {
            return null;
        }

        if (length - start <= target)
        {
            return []; // one split: nothing to cut
        }

        var sawQuote = new StrongBox<bool>();
        var stretch = (length - start + readers - 1) / readers;
        var found = new List<long>[readers];
        var others = new Task[readers - 1];
        for (var r = 1; r < readers; r++)
        {
            var reader = r;
            others[r - 1] = Task.Factory.StartNew(
                () => found[reader] = CutsIn(open, start, Math.Min(length, start + (reader * stretch)), Math.Min(length, start + ((reader + 1) * stretch)), length, target, sawQuote),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default); // dedicated threads: blocking reads stay off the pool
        }

        try
        {
            found[0] = CutsIn(open, start, start, Math.Min(length, start + stretch), length, target, sawQuote);
        }
        catch
        {
            Volatile.Write(ref sawQuote.Value, true); // stops the other readers at their next read
            Task.WhenAny(Task.WhenAll(others)).Wait(); // wait for them without their exceptions: this one is rethrown
            throw;
        }

        Task.WhenAll(others).GetAwaiter().GetResult(); // a reader's own exception (e.g. the file went away), not an AggregateException

        if (sawQuote.Value)
        {
            return null;
        }

        var cuts = new List<long>();
        foreach (var cut in found.SelectMany(f => f))
        {
            if (cut > start && cut < length && (cuts.Count == 0 || cut > cuts[^1]))
            {
                cuts.Add(cut);
            }
        }

        return cuts;
    }

    /// <summary>
    /// One reader's share of <see cref="QuoteFreeCutPoints"/>: for every target in [<paramref name="from"/>, <paramref name="to"/>)
    /// (a target's search starts at start + k × target - 1), the position after the first <c>\n</c> at or past it, reading
    /// past <paramref name="to"/> when that is where it lies; stops early when any reader has seen a quote.
    /// </summary>
    private static List<long> CutsIn(Func<IRangeReader> open, long start, long from, long to, long length, long target, StrongBox<bool> sawQuote)
    {
        var cuts = new List<long>();
        if (from >= to)
        {
            return cuts;
        }

        using var handle = open();
        var buffer = new byte[PlanBufferBytes];
        var search = NextTarget(start, from, target) - 1; // the first target whose search start is at or past from
        var position = from;
        var pending = false; // a search started before this chunk and has not found its '\n' yet
        while (position < length && (position < to || pending) && !Volatile.Read(ref sawQuote.Value))
        {
            var read = handle.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - position)), position);
            if (read == 0)
            {
                break;
            }

            var chunk = buffer.AsSpan(0, read);
            var mine = (int)Math.Min(read, Math.Max(0, to - position)); // bytes of this reader's own stretch: only those are checked for quotes
            if (chunk[..mine].Contains((byte)'"'))
            {
                Volatile.Write(ref sawQuote.Value, true);
                break;
            }

            while (true)
            {
                int at;
                if (pending)
                {
                    at = 0;
                }
                else if (search < position + mine)
                {
                    at = (int)(search - position);
                }
                else
                {
                    break;
                }

                var newline = chunk[at..].IndexOf((byte)'\n');
                if (newline < 0)
                {
                    pending = true;
                    break;
                }

                var cut = position + at + newline + 1;
                cuts.Add(cut);
                pending = false;
                search = NextTarget(start, cut, target) - 1; // the next target whose search start is at or past this cut
            }

            position += read;
        }

        return cuts;
    }

    /// <summary>
    /// Record starts near every target offset: the position after the first record-ending <c>\n</c> at or past the last
    /// byte of each target (start + k × target), framed as the readers frame records (<see cref="CsvRecordScanner"/>:
    /// quotes open fields only at field starts; an unclosed quoted field resynchronises). Between targets the scanner
    /// only looks for quotes, so a quote-free file is scanned at memchr speed. The state carried from
    /// <paramref name="start"/> (a record start) is the readers' per-record state, because a record ends only outside quotes.
    /// </summary>
    internal static IEnumerable<long> CsvCutPoints(Func<IRangeReader> open, long start, long target, byte delimiter, int maxQuotedFieldBytes = CsvRecordScanner.MaxQuotedFieldBytes)
    {
        using var handle = open();
        var buffer = new byte[PlanBufferBytes];
        var scanner = new CsvRecordScanner(delimiter, maxQuotedFieldBytes);
        var searchFrom = SaturatingAdd(start, target) - 1; // the '\n' that ends a record may sit just before the target
        var position = start;
        while (true)
        {
            var read = handle.Read(buffer, position);
            if (read == 0)
            {
                if (scanner.EndOfInput())
                {
                    position = scanner.ResumeAt; // a quoted field open at the end: its record ends at the next '\n'
                    continue;
                }

                yield break;
            }

            var chunk = buffer.AsSpan(0, read);
            int found;
            if (position < searchFrom)
            {
                var skip = (int)Math.Min(read, searchFrom - position);
                found = scanner.Skip(chunk[..skip], position);
                if (found == CsvRecordScanner.NeedMore)
                {
                    position += skip;
                    continue;
                }
            }
            else
            {
                found = scanner.FindRecordEnd(chunk, position);
                if (found >= 0)
                {
                    var cut = position + found + 1;
                    yield return cut;
                    scanner.StartRecord();
                    searchFrom = NextTarget(start, cut, target) - 1;
                    position = cut;
                    continue;
                }

                if (found == CsvRecordScanner.NeedMore)
                {
                    position += read;
                    continue;
                }
            }

            position = scanner.ResumeAt; // Resync: read again from just after the opening quote
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

    /// <summary>The first target (start + k × target, k ≥ 1) whose last byte is at or past <paramref name="position"/>.</summary>
    private static long NextTarget(long start, long position, long target)
    {
        var k = ((position - start) / target) + 1;
        return SaturatingAdd(start, k > long.MaxValue / target ? long.MaxValue : k * target);
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
