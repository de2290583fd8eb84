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
    private readonly Utf8KeyTable<int> _groups = new(256);
    private long[] _rows = new long[64];
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
        var state = new SplitState(split, new CsvProjector(split, _columns, _delimiter), _columns.Count, _values, partial.BadRecords, maxSamples);
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
    /// The records of a quote-free block (whole records, the last one possibly without a newline): one pass finds every
    /// delimiter and newline 64 bytes at a time as a bit mask and walks its set bits, noting where the fields a column
    /// needs end; a record with the expected field count is projected from those positions without another look at
    /// its bytes, any other goes through <see cref="AddRecord"/> (which reports the field-count error). Empty lines are
    /// skipped and not counted, one <c>\r</c> before a newline is dropped: the same records <see cref="SplitRecordReader.TryRead"/> gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long ScanUnquoted(ReadOnlySpan<byte> block, long blockOffset, SplitState state)
    {
        var projector = state.Projector;
        var fieldToColumn = projector.FieldToColumn;
        var lastNeeded = projector.LastNeededField;
        var ends = state.FieldEnds;
        var columns = state.Columns;
        var delimiter = Vector256.Create(projector.Delimiter);
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
                mask = 0;
                for (var i = chunk; i < length; i++)
                {
                    var b = Unsafe.Add(ref data, i);
                    if (b == projector.Delimiter || b == (byte)'\n')
                    {
                        mask |= 1UL << (i - chunk);
                    }
                }
            }

            while (mask != 0)
            {
                var at = chunk + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                if (Unsafe.Add(ref data, at) != (byte)'\n')
                {
                    if (field <= lastNeeded)
                    {
                        ends[field] = at;
                    }

                    field++;
                    continue;
                }

                records += EndRecord(block, blockOffset, recordStart, at, field, state, fieldToColumn, lastNeeded, columns);
                recordStart = at + 1;
                field = 0;
            }

            chunk += 64;
        }

        if (recordStart < length)
        {
            records += EndRecord(block, blockOffset, recordStart, length, field, state, fieldToColumn, lastNeeded, columns); // no final newline
        }

        return records;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int EndRecord(ReadOnlySpan<byte> block, long blockOffset, int recordStart, int recordEnd, int delimiters, SplitState state, ReadOnlySpan<int> fieldToColumn, int lastNeeded, ColumnBuffer columns)
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
            var keyBuffer = state.KeyBuffer;
            for (var k = 0; k < keys; k++)
            {
                var text = Column(bytes, columns, slots[_keyColumn[k]]);
                if (keyBuffer.Length < length + 4 + text.Length)
                {
                    Array.Resize(ref keyBuffer, Math.Max(keyBuffer.Length * 2, length + 4 + text.Length));
                    state.KeyBuffer = keyBuffer;
                }

                BinaryPrimitives.WriteInt32LittleEndian(keyBuffer.AsSpan(length), text.Length);
                text.CopyTo(keyBuffer.AsSpan(length + 4));
                length += 4 + text.Length;
            }

            key = keyBuffer.AsSpan(0, length);
        }

        ref var group = ref _groups.GetValueRef(key, out var exists);
        if (!exists)
        {
            group = _groups.Count - 1;
            EnsureCapacity(_groups.Count);
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
    }

    private void Flush(Combiner<string, GroupAccumulator> combiner)
    {
        var keys = _keyColumns.Length;
        var parts = new string[keys];
        for (var g = 0; g < _groups.Count; g++)
        {
            var bytes = _groups.KeyAt(g);
            string key;
            if (keys == 1)
            {
                key = Encoding.UTF8.GetString(bytes);
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

    /// <summary><see cref="ValueStats"/> in <see cref="long"/> arithmetic until a value or the sum needs <see cref="decimal"/>.</summary>
    [StructLayout(LayoutKind.Auto)]
    private struct FastStats
    {
        private long _count;
        private long _sum;
        private long _min;
        private long _max;
        private bool _isDecimal;
        private ValueStats _exact;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(long value)
        {
            if (_isDecimal)
            {
                _exact.Add(value);
                return;
            }

            var sum = unchecked(_sum + value);
            if (((_sum ^ sum) & (value ^ sum)) < 0)
            {
                ToDecimal(); // the sum would overflow: go on exactly
                _exact.Add(value);
                return;
            }

            if (_count == 0)
            {
                _min = value;
                _max = value;
            }
            else if (value < _min)
            {
                _min = value;
            }
            else if (value > _max)
            {
                _max = value;
            }

            _count++;
            _sum = sum;
        }

        public void Add(decimal value)
        {
            if (!_isDecimal)
            {
                ToDecimal();
            }

            _exact.Add(value);
        }

        public readonly ValueStats ToValueStats() =>
            _isDecimal ? _exact : new ValueStats { Count = _count, Sum = _sum, Min = _min, Max = _max };

        private void ToDecimal()
        {
            _exact = ToValueStats();
            _isDecimal = true;
        }
    }
}
