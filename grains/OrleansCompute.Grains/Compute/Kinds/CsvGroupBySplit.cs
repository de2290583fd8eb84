using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// The fast path of <see cref="GroupByJob"/> over one CSV split. Same rules as the per-record
/// <see cref="GroupByJob.Map"/> (same bad records, same exact results), but: groups are found by their key's
/// UTF-8 bytes in a <see cref="Utf8KeyTable{TValue}"/> (a string is made once per group, at the end), and
/// value columns are summed as <see cref="long"/> while every value is an integer of up to 18 digits and the
/// sum does not overflow — switching that column of that group to <see cref="decimal"/> the moment it is not —
/// so the common case does no decimal arithmetic. Converted to <see cref="GroupAccumulator"/>s at the end.
/// </summary>
internal sealed class CsvGroupBySplit
{
    private readonly string[] _keyColumns;
    private readonly string[] _valueColumns;
    private readonly IReadOnlyList<string> _columns;
    private readonly int[] _keyColumn;
    private readonly int[] _valueColumn;
    private readonly char _delimiter;
    private readonly int _values;
    private const int Window = 16 << 10; // bytes per ScanUniform window: its positions stay in the L1/L2 cache

    private readonly Utf8KeyTable<int> _groups = new(1024); // 2,048 buckets: group keys rarely share one
    private long[] _rows = new long[64];
    private int[] _valueFields = [];   // per value, the field it is read from (set per split)
    private int _singleKeyField = -1;  // the key's field when the key is one column
    private FastStats[] _stats;

    // columns: the distinct columns read; keyColumn and valueColumn give each key part's and each value's index in it.
    public CsvGroupBySplit(string[] keyColumns, string[] valueColumns, IReadOnlyList<string> columns, int[] keyColumn, int[] valueColumn, char delimiter)
    {
        _keyColumns = keyColumns;
        _valueColumns = valueColumns;
        _columns = columns;
        _keyColumn = keyColumn;
        _valueColumn = valueColumn;
        _delimiter = delimiter;
        _values = valueColumns.Length;
        _stats = new FastStats[64 * Math.Max(1, _values)];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one long loop per split: optimize it at once, not through OSR
    public void Run(InputSplit split, SplitRecordReader reader, ComputePartial<string, GroupAccumulator> partial, Combiner<string, GroupAccumulator> combiner, int maxSamples, CancellationToken cancellationToken)
    {
        var projector = new CsvProjector(split, _columns, _delimiter);
        var columnField = new int[_columns.Count];
        var fieldToColumn = projector.FieldToColumn;
        for (var f = 0; f < fieldToColumn.Length; f++)
        {
            if (fieldToColumn[f] >= 0)
            {
                columnField[fieldToColumn[f]] = f;
            }
        }

        var state = new SplitState(split, projector, _columns.Count, _values, partial.BadRecords, maxSamples)
        {
            KeyFields = Array.ConvertAll(_keyColumn, c => columnField[c]),
        };
        _valueFields = Array.ConvertAll(_valueColumn, c => columnField[c]);
        _singleKeyField = _keyColumn.Length == 1 ? columnField[_keyColumn[0]] : -1;
        long records = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Runs of quote-free records are framed and split into fields by one vectorized scan; a record holding a
            // quote goes through the quote-aware reader and parser, one at a time.
            while (true)
            {
                var found = reader.TryReadUnquotedBlock(out var block, out var blockOffset);
                if (found == CsvBlock.End)
                {
                    break;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (found == CsvBlock.Block)
                {
                    records += ScanUnquoted(block, blockOffset, state);
                }
                else if (reader.TryRead(out var bytes, out var offset) && !bytes.IsEmpty)
                {
                    records++;
                    AddRecord(bytes, offset, hasQuote: true, state);
                }
            }
        }
        else
        {
            while (reader.TryRead(out var bytes, out var offset))
            {
                if (bytes.IsEmpty)
                {
                    continue; // empty lines separate nothing in CSV
                }

                if ((++records & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                AddRecord(bytes, offset, reader.LastRecordHasQuote, state);
            }
        }

        partial.Records = records;
        Flush(combiner);
    }

    /// <summary>
    /// The records of a quote-free block (whole records, the last one possibly without a newline), in windows of about
    /// <see cref="Window"/> bytes ending at a newline: a window whose records all have the header's field count (two or
    /// more) takes <see cref="ScanUniform"/>, any other <see cref="ScanGeneral"/>. Same records, same results either way.
    /// </summary>
    private long ScanUnquoted(ReadOnlySpan<byte> block, long blockOffset, SplitState state)
    {
        if (state.Projector.FieldCount < 2)
        {
            return ScanGeneral(block, blockOffset, state);
        }

        long records = 0;
        var done = 0;
        while (done < block.Length)
        {
            var limit = Math.Min(block.Length, done + Window);
            var last = block[done..limit].LastIndexOf((byte)'\n');
            if (last < 0)
            {
                // A record longer than the window, or the file's last record without a newline.
                var next = block[done..].IndexOf((byte)'\n');
                var end = next < 0 ? block.Length : done + next + 1;
                records += ScanGeneral(block[done..end], blockOffset + done, state);
                done = end;
                continue;
            }

            var windowEnd = done + last + 1;
            var uniform = ScanUniform(block, done, windowEnd, blockOffset, state);
            records += uniform >= 0 ? uniform : ScanGeneral(block[done..windowEnd], blockOffset + done, state);
            done = windowEnd;
        }

        return records;
    }

    /// <summary>
    /// The records of block[<paramref name="start"/>, <paramref name="end"/>) (ending with a newline), or -1 when they are
    /// not all of the header's field count F (or hold a <c>\r</c> while the last field is needed). First every delimiter
    /// and newline position, 64 bytes at a time as a bit mask (<see cref="FindSeparators"/>); when there are exactly F per
    /// newline and every F-th is a newline, field f of record r lies between positions rF+f and rF+f+1 (position 0 being a
    /// -1 before the first record). Then column at a time, each pass a short loop the JIT keeps in registers: every value
    /// column parsed (<see cref="ParseColumn"/>: a record with a value that is not a plain integer is set aside), every
    /// key looked up (<see cref="GroupColumn"/>), and the rows and statistics added, a set-aside record taking the general
    /// path (<see cref="EndRecord"/>) in its turn, so bad records are sampled in file order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private long ScanUniform(ReadOnlySpan<byte> block, int start, int end, long blockOffset, SplitState state)
    {
        var projector = state.Projector;
        var fields = projector.FieldCount;
        var window = block[start..end];
        var readable = block.Length - start; // bytes that may be loaded from the window's start (8-byte loads may run past it)
        if (state.Positions.Length < window.Length + 65)
        {
            state.Positions = new int[window.Length + 65];
        }

        var positions = state.Positions;
        var (count, newlines) = FindSeparators(window, projector.Delimiter, positions);
        if (count != newlines * fields)
        {
            return -1;
        }

        for (var at = fields; at <= count; at += fields)
        {
            if (window[positions[at]] != (byte)'\n')
            {
                return -1;
            }
        }

        if (projector.LastNeededField == fields - 1 && window.Contains((byte)'\r'))
        {
            return -1; // CRLF with the last field needed: its end is not the newline's position
        }

        var records = newlines;
        state.EnsureRecords(records, _values);
        var rejected = state.Rejected.AsSpan(0, records);
        rejected.Clear();
        ref var data = ref MemoryMarshal.GetReference(window);
        var anyRejected = false;
        for (var v = 0; v < _values; v++)
        {
            anyRejected |= ParseColumn(ref data, readable, positions, records, fields, _valueFields[v], state.Values.AsSpan(v * records, records), rejected);
        }

        if (_singleKeyField >= 0)
        {
            GroupColumn(ref data, readable, positions, records, fields, _singleKeyField, state.Groups, rejected);
        }
        else
        {
            var groups = state.Groups;
            for (var r = 0; r < records; r++)
            {
                if (rejected[r] == 0)
                {
                    groups[r] = GroupOfKey(ref data, positions[r * fields] + 1, ref positions[(r * fields) + 1], state);
                }
            }
        }

        AddRows(state.Groups, state.Values, records, rejected);
        if (anyRejected)
        {
            var ends = state.FieldEnds;
            for (var r = 0; r < records; r++)
            {
                if (rejected[r] != 0)
                {
                    positions.AsSpan((r * fields) + 1, ends.Length).CopyTo(ends);
                    EndRecord(window, blockOffset + start, positions[r * fields] + 1, positions[(r + 1) * fields], fields - 1, state);
                }
            }
        }

        return records;
    }

    /// <summary>
    /// Every delimiter and newline position of <paramref name="window"/> into <paramref name="positions"/> from index 1
    /// (index 0 holds -1: the "separator" before the first record), and how many there are and how many are newlines.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Count, int Newlines) FindSeparators(ReadOnlySpan<byte> window, byte delimiterByte, int[] positions)
    {
        ref var data = ref MemoryMarshal.GetReference(window);
        var length = window.Length;
        ref var pos = ref MemoryMarshal.GetArrayDataReference(positions); // length + 65 entries: room for the junk writes below
        pos = -1;
        var delimiter = Vector256.Create(delimiterByte);
        var newline = Vector256.Create((byte)'\n');
        var count = 0;
        var newlines = 0;
        for (var chunk = 0; chunk < length; chunk += 64)
        {
            ulong mask;
            ulong lines;
            if (chunk + 64 <= length)
            {
                var lo = Vector256.LoadUnsafe(ref data, (nuint)chunk);
                var hi = Vector256.LoadUnsafe(ref data, (nuint)chunk + 32);
                lines = Vector256.Equals(lo, newline).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(hi, newline).ExtractMostSignificantBits() << 32);
                mask = lines | Vector256.Equals(lo, delimiter).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(hi, delimiter).ExtractMostSignificantBits() << 32);
            }
            else
            {
                mask = TailMask(ref data, chunk, length, delimiterByte);
                lines = TailMask(ref data, chunk, length, (byte)'\n');
            }

            newlines += BitOperations.PopCount(lines);
            var found = BitOperations.PopCount(mask);
            ref var next = ref Unsafe.Add(ref pos, count + 1);
            count += found;

            // Eight positions written whatever the count (past it they are junk the next chunk overwrites), so a chunk
            // with up to eight separators costs no unpredictable branch.
            Unsafe.Add(ref next, 0) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            Unsafe.Add(ref next, 1) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            Unsafe.Add(ref next, 2) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            Unsafe.Add(ref next, 3) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            Unsafe.Add(ref next, 4) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            Unsafe.Add(ref next, 5) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            Unsafe.Add(ref next, 6) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            Unsafe.Add(ref next, 7) = chunk + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (found > 8)
            {
                next = ref Unsafe.Add(ref next, 8);
                Unsafe.Add(ref next, 0) = chunk + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Unsafe.Add(ref next, 1) = chunk + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Unsafe.Add(ref next, 2) = chunk + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Unsafe.Add(ref next, 3) = chunk + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                var at = 4;
                while (mask != 0)
                {
                    Unsafe.Add(ref next, at++) = chunk + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }

        return (count, newlines);
    }

    /// <summary>Field <paramref name="field"/> of every record parsed as a plain integer into <paramref name="values"/>; whether any record was set aside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ParseColumn(ref byte data, int readable, int[] positions, int records, int fields, int field, Span<long> values, Span<byte> rejected)
    {
        ref var pos = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(positions), field);
        ref var value = ref MemoryMarshal.GetReference(values);
        ref var reject = ref MemoryMarshal.GetReference(rejected);
        var any = false;
        for (var r = 0; r < records; r++)
        {
            if (!TryParsePlainInteger(ref data, readable, pos + 1, Unsafe.Add(ref pos, 1), out Unsafe.Add(ref value, r)))
            {
                Unsafe.Add(ref reject, r) = 1;
                any = true;
            }

            pos = ref Unsafe.Add(ref pos, fields);
        }

        return any;
    }

    /// <summary>The group of every record not set aside, from its one key field: keys of up to 8 bytes by one masked load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GroupColumn(ref byte data, int readable, int[] positions, int records, int fields, int field, int[] groups, Span<byte> rejected)
    {
        ref var pos = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(positions), field);
        ref var group = ref MemoryMarshal.GetArrayDataReference(groups);
        ref var reject = ref MemoryMarshal.GetReference(rejected);
        var table = _groups;
        for (var r = 0; r < records; r++)
        {
            if (Unsafe.Add(ref reject, r) == 0)
            {
                var start = pos + 1;
                var length = Unsafe.Add(ref pos, 1) - start;
                var index = -1;
                if ((uint)(length - 1) < 8 && start + 8 <= readable)
                {
                    index = table.IndexOfShort(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, start)) & (ulong.MaxValue >> (64 - (length * 8))), length);
                }

                Unsafe.Add(ref group, r) = index >= 0 ? index : GroupOf(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref data, start), length));
            }

            pos = ref Unsafe.Add(ref pos, fields);
        }
    }

    /// <summary>Each record not set aside counted in its group, then column by column its values added to the group's statistics.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddRows(int[] groups, long[] values, int records, Span<byte> rejected)
    {
        ref var group = ref MemoryMarshal.GetArrayDataReference(groups);
        ref var reject = ref MemoryMarshal.GetReference(rejected);
        ref var rows = ref MemoryMarshal.GetArrayDataReference(_rows);
        for (var r = 0; r < records; r++)
        {
            if (Unsafe.Add(ref reject, r) == 0)
            {
                Unsafe.Add(ref rows, Unsafe.Add(ref group, r))++;
            }
        }

        for (var v = 0; v < _values; v++)
        {
            AddColumn(ref group, ref reject, ref MemoryMarshal.GetArrayDataReference(values), v * records, records, v);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddColumn(ref int group, ref byte reject, ref long values, int from, int records, int column)
    {
        ref var stats = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_stats), column);
        var stride = _values;
        ref var value = ref Unsafe.Add(ref values, from);
        for (var r = 0; r < records; r++)
        {
            if (Unsafe.Add(ref reject, r) == 0)
            {
                Unsafe.Add(ref stats, Unsafe.Add(ref group, r) * stride).Add(Unsafe.Add(ref value, r));
            }
        }
    }

    /// <summary>
    /// <see cref="ScanUnquoted"/> for any quote-free records: one pass finds every delimiter and newline 64 bytes at a time
    /// as a bit mask and walks its set bits, noting where the fields a column needs end; each record then goes through
    /// <see cref="EndRecord"/>. Empty lines are skipped and not counted, one <c>\r</c> before a newline is dropped: the
    /// same records <see cref="SplitRecordReader.TryRead"/> gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long ScanGeneral(ReadOnlySpan<byte> block, long blockOffset, SplitState state)
    {
        var projector = state.Projector;
        var lastNeeded = projector.LastNeededField;
        var delimiterByte = projector.Delimiter;
        ref var ends = ref MemoryMarshal.GetArrayDataReference(state.FieldEnds); // lastNeeded + 1 entries
        var delimiter = Vector256.Create(delimiterByte);
        var newline = Vector256.Create((byte)'\n');
        ref var data = ref MemoryMarshal.GetReference(block);
        var length = block.Length;
        long records = 0;
        var recordStart = 0;
        var field = 0; // delimiters seen in the current record
        var chunk = 0;
        while (chunk < length)
        {
            ulong mask;
            if (chunk + 64 <= length)
            {
                var lo = Vector256.LoadUnsafe(ref data, (nuint)chunk);
                var hi = Vector256.LoadUnsafe(ref data, (nuint)chunk + 32);
                mask = (Vector256.Equals(lo, delimiter) | Vector256.Equals(lo, newline)).ExtractMostSignificantBits()
                    | ((ulong)(Vector256.Equals(hi, delimiter) | Vector256.Equals(hi, newline)).ExtractMostSignificantBits() << 32);
            }
            else
            {
                mask = TailMask(ref data, chunk, length, delimiterByte);
            }

            while (mask != 0)
            {
                var at = chunk + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                if (Unsafe.Add(ref data, at) != (byte)'\n')
                {
                    if (field <= lastNeeded)
                    {
                        Unsafe.Add(ref ends, field) = at;
                    }

                    field++;
                    continue;
                }

                records += EndRecord(block, blockOffset, recordStart, at, field, state);
                recordStart = at + 1;
                field = 0;
            }

            chunk += 64;
        }

        if (recordStart < length)
        {
            records += EndRecord(block, blockOffset, recordStart, length, field, state); // no final newline
        }

        return records;
    }

    private static ulong TailMask(ref byte data, int chunk, int length, byte delimiter)
    {
        ulong mask = 0;
        for (var i = chunk; i < length; i++)
        {
            var b = Unsafe.Add(ref data, i);
            if (b == delimiter || b == (byte)'\n')
            {
                mask |= 1UL << (i - chunk);
            }
        }

        return mask;
    }

    /// <summary>A record <see cref="ScanUnquoted"/> did not accumulate itself: projected from the field ends it noted, or a bad one reported.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int EndRecord(ReadOnlySpan<byte> block, long blockOffset, int recordStart, int recordEnd, int delimiters, SplitState state)
    {
        var end = recordEnd > recordStart && block[recordEnd - 1] == (byte)'\r' ? recordEnd - 1 : recordEnd;
        if (end == recordStart)
        {
            return 0; // an empty line
        }

        var record = block[recordStart..end];
        var fields = delimiters + 1;
        if (!state.Projector.HasExpectedFieldCount(fields))
        {
            AddRecord(record, blockOffset + recordStart, hasQuote: false, state);
            return 1;
        }

        var fieldToColumn = state.Projector.FieldToColumn;
        var lastNeeded = state.Projector.LastNeededField;
        var columns = state.Columns;
        var ends = state.FieldEnds;
        var start = 0;
        for (var f = 0; f <= lastNeeded; f++)
        {
            var fieldEnd = f == fields - 1 ? record.Length : ends[f] - recordStart;
            var column = fieldToColumn[f];
            if (column >= 0)
            {
                columns.Set(column, start, fieldEnd - start, ColumnValueKind.Text);
            }

            start = fieldEnd + 1;
        }

        Accumulate(record, blockOffset + recordStart, state);
        return 1;
    }

    /// <summary>The group of a multi-column key: its parts length-prefixed into the key buffer, as <see cref="Accumulate"/> does.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int GroupOfKey(ref byte data, int recordStart, ref int ends, SplitState state)
    {
        var keyFields = state.KeyFields;
        var length = 0;
        for (var k = 0; k < keyFields.Length; k++)
        {
            var f = keyFields[k];
            var start = f == 0 ? recordStart : Unsafe.Add(ref ends, f - 1) + 1;
            length = AppendKeyPart(state, length, MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref data, start), Unsafe.Add(ref ends, f) - start));
        }

        return GroupOf(state.KeyBuffer.AsSpan(0, length));
    }

    /// <summary>
    /// One part of a multi-column key into the state's key buffer at <paramref name="length"/>: its length (4 bytes) then
    /// its bytes, so parts cannot run into each other (what <see cref="Flush"/> decodes); the new length.
    /// </summary>
    private static int AppendKeyPart(SplitState state, int length, ReadOnlySpan<byte> part)
    {
        var keyBuffer = state.KeyBuffer;
        if (keyBuffer.Length < length + 4 + part.Length)
        {
            Array.Resize(ref keyBuffer, Math.Max(keyBuffer.Length * 2, length + 4 + part.Length));
            state.KeyBuffer = keyBuffer;
        }

        BinaryPrimitives.WriteInt32LittleEndian(keyBuffer.AsSpan(length), part.Length);
        part.CopyTo(keyBuffer.AsSpan(length + 4));
        return length + 4 + part.Length;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int GroupOf(ReadOnlySpan<byte> key)
    {
        ref var group = ref _groups.GetValueRef(key, out var exists);
        if (!exists)
        {
            group = NewGroup();
        }

        return group;
    }

    /// <summary>The index of the group just added to the table, with room for its rows and statistics.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int NewGroup()
    {
        var group = _groups.Count - 1;
        EnsureCapacity(_groups.Count);
        return group;
    }

    /// <summary>
    /// A plain integer at [start, end): optional '-', then 1 to 18 ASCII digits and nothing else (what <see cref="TryParseInteger"/>
    /// takes without its trimming). Up to 8 digits are checked and converted together from one 8-byte load (SWAR: the
    /// digits moved to the top of the word, '0' filled in below, then three multiply-add steps), so the common short value
    /// costs no branch per digit; longer ones, or one too close to the end of the readable bytes, take <see cref="TryParseInteger"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParsePlainInteger(ref byte data, int readable, int start, int end, out long value)
    {
        // An empty field's first byte is the separator after it, so no length check before this look.
        var negative = Unsafe.Add(ref data, start) == (byte)'-' ? 1 : 0;
        start += negative;
        var digits = end - start;
        if ((uint)(digits - 1) < 8 && start + 8 <= readable)
        {
            var shift = (8 - digits) * 8;
            var word = (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, start)) << shift) | (0x3030303030303030UL & ~(ulong.MaxValue << shift));
            if (((word & 0xF0F0F0F0F0F0F0F0UL) | (((word + 0x0606060606060606UL) & 0xF0F0F0F0F0F0F0F0UL) >> 4)) != 0x3333333333333333UL)
            {
                value = 0;
                return false;
            }

            word -= 0x3030303030303030UL;
            word = (word * 10) + (word >> 8);
            word = (((word & 0x000000FF000000FFUL) * (100 + (1000000UL << 32))) + (((word >> 16) & 0x000000FF000000FFUL) * (1 + (10000UL << 32)))) >> 32;
            value = ((long)word ^ -negative) + negative;
            return true;
        }

        return TryParseOther(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref data, start - negative), end - start + negative), out value);
    }

    /// <summary>A value too long for one load, or too near the end of the readable bytes: the general integer rule (which also takes what it trims).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseOther(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        return !text.IsEmpty && TryParseInteger(text, out value);
    }

    /// <summary>One record, framed by the reader: projected (quote-aware when it has a quote), then accumulated; a bad one is sampled.</summary>
    private void AddRecord(ReadOnlySpan<byte> bytes, long offset, bool hasQuote, SplitState state)
    {
        if ((hasQuote || !state.Projector.TryProjectUnquoted(bytes, state.Columns)) && !state.Projector.TryProject(bytes, state.Columns, out var error))
        {
            BadRecords.Add(state.Bad, state.MaxSamples, state.Split.Path, offset, error!);
            return;
        }

        Accumulate(bytes, offset, state);
    }

    /// <summary>Parses the projected values and adds the record to its group; a value that is not a number makes the record bad (and leaves no trace).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per record: tier-0 code here made a silo's first jobs 5× slower
    private void Accumulate(ReadOnlySpan<byte> bytes, long offset, SplitState state)
    {
        var keys = _keyColumns.Length;
        var columns = state.Columns;
        var longs = state.Longs;
        var decimals = state.Decimals;
        var kinds = state.Kinds;

        // Parse every value before touching the groups, so a bad record leaves no trace.
        var slots = columns.Slots;
        for (var v = 0; v < _values; v++)
        {
            var text = Column(bytes, columns, slots[_valueColumn[v]]);
            if (text.IsEmpty)
            {
                kinds[v] = ValueKind.Missing;
            }
            else if (TryParseInteger(text, out longs[v]))
            {
                kinds[v] = ValueKind.Integer;
            }
            else if (DecimalText.TryParse(text, out decimals[v]))
            {
                kinds[v] = ValueKind.Decimal;
            }
            else
            {
                BadRecords.Add(state.Bad, state.MaxSamples, state.Split.Path, offset,
                    $"column '{_valueColumns[v]}': '{GroupByJob.Truncate(Encoding.UTF8.GetString(text))}' is not a number");
                return;
            }
        }

        ReadOnlySpan<byte> key;
        if (keys == 1)
        {
            key = Column(bytes, columns, slots[_keyColumn[0]]);
        }
        else
        {
            var length = 0;
            for (var k = 0; k < keys; k++)
            {
                length = AppendKeyPart(state, length, Column(bytes, columns, slots[_keyColumn[k]]));
            }

            key = state.KeyBuffer.AsSpan(0, length);
        }

        ref var group = ref _groups.GetValueRef(key, out var exists);
        if (!exists)
        {
            group = NewGroup();
        }

        _rows[group]++;
        if (_values > 0)
        {
            var stats = _stats.AsSpan(group * _values, _values);
            for (var v = 0; v < _values; v++)
            {
                switch (kinds[v])
                {
                    case ValueKind.Integer:
                        stats[v].Add(longs[v]);
                        break;
                    case ValueKind.Decimal:
                        stats[v].Add(decimals[v]);
                        break;
                }
            }
        }
    }

    /// <summary>The same integers <see cref="DecimalText"/>'s own fast path takes: optional '-', 1 to 18 digits, spaces/tabs around.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text[0] is (byte)' ' or (byte)'\t' || text[^1] is (byte)' ' or (byte)'\t')
        {
            text = text.Trim(" \t"u8);
        }

        var negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length is 0 or > 18)
        {
            return false;
        }

        long whole = 0;
        foreach (var d in digits)
        {
            var digit = (uint)(d - '0');
            if (digit > 9)
            {
                return false;
            }

            whole = (whole * 10) + digit;
        }

        value = negative ? -whole : whole;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Column(ReadOnlySpan<byte> record, ColumnBuffer columns, ColumnBuffer.Slot slot) =>
        slot.InScratch ? columns.Scratch.AsSpan(slot.Start, slot.Length) : record.Slice(slot.Start, slot.Length);

    private void EnsureCapacity(int groups)
    {
        if (groups > _rows.Length)
        {
            Array.Resize(ref _rows, _rows.Length * 2);
            Array.Resize(ref _stats, _rows.Length * Math.Max(1, _values));
        }

        _stats.AsSpan((groups - 1) * _values, _values).Fill(FastStats.Empty); // the new group's
    }

    private void Flush(Combiner<string, GroupAccumulator> combiner)
    {
        var keys = _keyColumns.Length;
        var parts = new string?[keys];
        for (var g = 0; g < _groups.Count; g++)
        {
            var bytes = _groups.KeyAt(g);
            string key;
            if (keys == 1)
            {
                key = GroupKey.EncodeOne(Encoding.UTF8.GetString(bytes));
            }
            else
            {
                var at = 0;
                for (var k = 0; k < keys; k++)
                {
                    var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
                    parts[k] = Encoding.UTF8.GetString(bytes.Slice(at + 4, length));
                    at += 4 + length;
                }

                key = GroupKey.Encode(parts);
            }

            var columns = new ValueStats[_values];
            var index = _groups.ValueAt(g);
            for (var v = 0; v < _values; v++)
            {
                columns[v] = _stats[(index * _values) + v].ToValueStats();
            }

            // Distinct byte keys can decode to one string (invalid UTF-8 becomes U+FFFD): Emit combines them.
            combiner.Emit(key, new GroupAccumulator { Rows = _rows[index], Columns = columns });
        }
    }

    /// <summary>Per-split scratch: the projector, column slots, parsed values and field ends, allocated once per split.</summary>
    private sealed class SplitState(InputSplit split, CsvProjector projector, int columns, int values, BadRecordSummary bad, int maxSamples)
    {
        public InputSplit Split { get; } = split;

        public CsvProjector Projector { get; } = projector;

        public ColumnBuffer Columns { get; } = new(columns);

        public long[] Longs { get; } = new long[values];

        public decimal[] Decimals { get; } = new decimal[values];

        public ValueKind[] Kinds { get; } = new ValueKind[values];

        public int[] FieldEnds { get; } = new int[projector.LastNeededField + 1];

        /// <summary>Per key part, the field it is read from.</summary>
        public int[] KeyFields { get; set; } = [];


        /// <summary>Delimiter and newline positions of the window <see cref="ScanUniform"/> is on (from index 1; index 0 is -1).</summary>
        public int[] Positions { get; set; } = [];

        /// <summary>Per record of the window: set aside for the general path (its values are not all plain integers).</summary>
        public byte[] Rejected { get; private set; } = [];

        /// <summary>Per record of the window, its group.</summary>
        public int[] Groups { get; private set; } = [];

        /// <summary>Per value column, per record of the window, its value (column after column).</summary>
        public long[] Values { get; private set; } = [];

        public void EnsureRecords(int records, int values)
        {
            if (Rejected.Length < records)
            {
                var size = Math.Max(records, Rejected.Length * 2);
                Rejected = new byte[size];
                Groups = new int[size];
            }

            if (Values.Length < records * values)
            {
                Values = new long[Math.Max(records * values, Values.Length * 2)];
            }
        }


        public byte[] KeyBuffer { get; set; } = new byte[256];

        public BadRecordSummary Bad { get; } = bad;

        public int MaxSamples { get; } = maxSamples;
    }

    private enum ValueKind : byte
    {
        Missing,
        Integer,
        Decimal,
    }

    /// <summary>
    /// <see cref="ValueStats"/> in <see cref="long"/> arithmetic until a value or the sum needs <see cref="decimal"/>. The
    /// exact form lives in a separate object, so the array of these (groups × value columns) stays small in the cache.
    /// </summary>
    [StructLayout(LayoutKind.Auto)]
    private struct FastStats
    {
        private long _count;
        private long _sum;
        private long _min;
        private long _max;
        private Exact? _exact; // set once the column of this group went exact

        /// <summary>No values yet: what every group's statistics start from (min and max ready to be narrowed).</summary>
        public static FastStats Empty => new() { _min = long.MaxValue, _max = long.MinValue };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(long value)
        {
            var sum = unchecked(_sum + value);
            if (_exact is not null || ((_sum ^ sum) & (value ^ sum)) < 0)
            {
                AddExactly(value); // already exact, or the sum would overflow: go on exactly
                return;
            }

            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
            _count++;
            _sum = sum;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void AddExactly(long value) => (_exact ??= ToExact()).Stats.Add(value);

        public void Add(decimal value) => (_exact ??= ToExact()).Stats.Add(value);

        public readonly ValueStats ToValueStats() =>
            _exact is not null ? _exact.Stats : _count == 0 ? default : new ValueStats { Count = _count, Sum = _sum, Min = _min, Max = _max };

        private readonly Exact ToExact() => new() { Stats = ToValueStats() };
    }

    private sealed class Exact
    {
        public ValueStats Stats;
    }
}
