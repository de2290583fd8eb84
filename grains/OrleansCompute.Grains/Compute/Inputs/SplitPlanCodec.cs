using System.Text;

namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// The compact form of a <see cref="SplitPlan"/> that a job persists: the file list once, splits as references into it.
/// Orleans's field-by-field form repeats the full path (and a CSV header) in every range of every split, which made a
/// plan of 10,000 small files a few MB, rewritten with every progress write of the job.
/// <para>Layout (integers are 7-bit variable-length, strings UTF-8 with a length in front):</para>
/// <list type="bullet">
/// <item>a format byte (<see cref="Version"/>), the file count, the total bytes;</item>
/// <item>per file, in plan order: its path front-coded against the previous one (characters shared, then the rest) and its length;</item>
/// <item>a byte: 1 when files carry CSV metadata, then the distinct headers (field count + 1, 0 for none; the names) and per
/// file the header's number (0: none) and the field count;</item>
/// <item>the split count, then per split its range count and per range (file index − previous range's) × 2 + 1 for a whole
/// file, or × 2 followed by start and length.</item>
/// </list>
/// Splits are numbered in order; a split of one range has no parts, as the planner makes it. 10,000 files under one
/// folder take about 20 bytes each.
/// </summary>
public static class SplitPlanCodec
{
    /// <summary>The format written. A reader refuses any other.</summary>
    public const byte Version = 1;

    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(SplitPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, s_utf8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write7BitEncodedInt(plan.Files.Count);
            writer.Write7BitEncodedInt64(plan.TotalBytes);
            var previous = "";
            foreach (var file in plan.Files)
            {
                var shared = SharedPrefix(previous, file.Path);
                writer.Write7BitEncodedInt(shared);
                writer.Write(file.Path.AsSpan(shared).ToString()); // length-prefixed UTF-8
                writer.Write7BitEncodedInt64(file.Length);
                previous = file.Path;
            }

            WriteCsvMetadata(writer, plan);
            writer.Write7BitEncodedInt(plan.Splits.Count);
            var fileIndex = 0;
            for (var s = 0; s < plan.Splits.Count; s++)
            {
                var split = plan.Splits[s];
                if (split.SplitId != s)
                {
                    throw new ArgumentException($"Split {s} of the plan is numbered {split.SplitId}; splits must be numbered in order from 0.", nameof(plan));
                }

                var ranges = split.Ranges;
                writer.Write7BitEncodedInt(ranges.Count);
                foreach (var range in ranges)
                {
                    if ((uint)range.FileIndex >= (uint)plan.Files.Count || !string.Equals(range.Path, plan.Files[range.FileIndex].Path, StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"Split {s} reads '{range.Path}' as file {range.FileIndex}, which the plan's file list does not hold.", nameof(plan));
                    }

                    var whole = range.Start == 0 && range.End == plan.Files[range.FileIndex].Length;
                    var delta = (long)range.FileIndex - fileIndex;
                    writer.Write7BitEncodedInt64((ZigZag(delta) << 1) | (whole ? 1L : 0L));
                    if (!whole)
                    {
                        writer.Write7BitEncodedInt64(range.Start);
                        writer.Write7BitEncodedInt64(range.End - range.Start);
                    }

                    fileIndex = range.FileIndex;
                }
            }
        }

        return stream.ToArray();
    }

    public static SplitPlan Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return DecodeCore(bytes);
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException or ArgumentException or IndexOutOfRangeException or DecoderFallbackException or OverflowException)
        {
            throw new InvalidDataException($"A persisted split plan ({bytes.Length} bytes) is damaged: {ex.Message}", ex);
        }
    }

    private static SplitPlan DecodeCore(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), s_utf8);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"A persisted split plan has format {version}; this silo reads format {Version}.");
        }

        var plan = new SplitPlan();
        var fileCount = reader.Read7BitEncodedInt();
        plan.TotalBytes = reader.Read7BitEncodedInt64();
        var previous = "";
        for (var f = 0; f < fileCount; f++)
        {
            var shared = reader.Read7BitEncodedInt();
            var rest = reader.ReadString();
            var path = shared == 0 ? rest : string.Concat(previous.AsSpan(0, shared), rest);
            plan.Files.Add(new InputFile { Path = path, Length = reader.Read7BitEncodedInt64() });
            previous = path;
        }

        var (headers, fieldCounts) = ReadCsvMetadata(reader, fileCount);
        var splitCount = reader.Read7BitEncodedInt();
        plan.Splits.Capacity = splitCount;
        var fileIndex = 0;
        for (var s = 0; s < splitCount; s++)
        {
            var count = reader.Read7BitEncodedInt();
            var ranges = new List<InputSplit>(count);
            for (var r = 0; r < count; r++)
            {
                var code = reader.Read7BitEncodedInt64();
                fileIndex = checked((int)(fileIndex + UnZigZag(code >> 1)));
                var file = plan.Files[fileIndex];
                long start = 0, end = file.Length;
                if ((code & 1) == 0)
                {
                    start = reader.Read7BitEncodedInt64();
                    end = start + reader.Read7BitEncodedInt64();
                }

                ranges.Add(new InputSplit
                {
                    SplitId = s,
                    FileIndex = fileIndex,
                    Path = file.Path,
                    Start = start,
                    End = end,
                    Header = headers?[fileIndex],
                    FieldCount = fieldCounts?[fileIndex] ?? 0,
                });
            }

            plan.Splits.Add(count switch
            {
                1 => ranges[0],
                0 => throw new InvalidDataException($"Split {s} of a persisted plan reads nothing."),
                _ => new InputSplit { SplitId = s, FileIndex = ranges[0].FileIndex, Parts = ranges },
            });
        }

        if (reader.BaseStream.Position != bytes.Length)
        {
            throw new InvalidDataException($"A persisted split plan has {bytes.Length - reader.BaseStream.Position} bytes after its last split.");
        }

        return plan;
    }

    /// <summary>CSV headers and field counts, per file (every range of a file has its file's); text plans have none.</summary>
    private static void WriteCsvMetadata(BinaryWriter writer, SplitPlan plan)
    {
        var headers = new string[]?[plan.Files.Count];
        var fieldCounts = new int[plan.Files.Count];
        var any = false;
        foreach (var split in plan.Splits)
        {
            foreach (var range in split.Ranges)
            {
                if ((uint)range.FileIndex < (uint)headers.Length && (range.Header is not null || range.FieldCount != 0))
                {
                    headers[range.FileIndex] = range.Header;
                    fieldCounts[range.FileIndex] = range.FieldCount;
                    any = true;
                }
            }
        }

        writer.Write(any ? (byte)1 : (byte)0);
        if (!any)
        {
            return;
        }

        // Files of one data set usually share their header: each distinct one is written once.
        var distinct = new List<string[]>();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var references = new int[headers.Length];
        for (var f = 0; f < headers.Length; f++)
        {
            if (headers[f] is not { } header)
            {
                continue;
            }

            var key = string.Join('\0', header.Select(n => n.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + n));
            if (!numbers.TryGetValue(key, out var number))
            {
                distinct.Add(header);
                number = numbers[key] = distinct.Count;
            }

            references[f] = number;
        }

        writer.Write7BitEncodedInt(distinct.Count);
        foreach (var header in distinct)
        {
            writer.Write7BitEncodedInt(header.Length);
            foreach (var name in header)
            {
                writer.Write(name);
            }
        }

        for (var f = 0; f < headers.Length; f++)
        {
            writer.Write7BitEncodedInt(references[f]);
            writer.Write7BitEncodedInt(fieldCounts[f]);
        }
    }

    private static (string[]?[]? Headers, int[]? FieldCounts) ReadCsvMetadata(BinaryReader reader, int fileCount)
    {
        if (reader.ReadByte() == 0)
        {
            return (null, null);
        }

        var distinct = new string[reader.Read7BitEncodedInt()][];
        for (var h = 0; h < distinct.Length; h++)
        {
            var names = new string[reader.Read7BitEncodedInt()];
            for (var n = 0; n < names.Length; n++)
            {
                names[n] = reader.ReadString();
            }

            distinct[h] = names;
        }

        var headers = new string[]?[fileCount];
        var fieldCounts = new int[fileCount];
        for (var f = 0; f < fileCount; f++)
        {
            var reference = reader.Read7BitEncodedInt();
            headers[f] = reference == 0 ? null : distinct[reference - 1];
            fieldCounts[f] = reader.Read7BitEncodedInt();
        }

        return (headers, fieldCounts);
    }

    /// <summary>Characters <paramref name="a"/> and <paramref name="b"/> share at the start, never ending between the halves of a surrogate pair.</summary>
    private static int SharedPrefix(string a, string b)
    {
        var shared = a.AsSpan().CommonPrefixLength(b);
        if (shared > 0 && char.IsHighSurrogate(b[shared - 1]))
        {
            shared--;
        }

        return shared;
    }

    private static long ZigZag(long value) => (value << 1) ^ (value >> 63);

    private static long UnZigZag(long value) => (long)((ulong)value >> 1) ^ -(value & 1);
}
