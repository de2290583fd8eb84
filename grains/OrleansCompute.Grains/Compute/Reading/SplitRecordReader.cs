using System.Buffers;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// Reads the records a byte range owns: every record that starts in [start, end). A range that does not
/// start at 0 or right after a <c>\n</c> skips its partial first record (the previous range finishes it). A file's UTF-8
/// byte order mark (EF BB BF) is not data: the first record starts right after it (so it is never part of a record, a
/// field or a word, and a quote right after it still opens a quoted field), and a range starting inside it or right
/// after it owns that record. The last record is read past <c>end</c> to its terminator. Records end at <c>\n</c> (a <c>\r</c> before it,
/// or at the very end of the file, is dropped); in CSV mode a <c>\n</c> inside a quoted field does not end a
/// record, where a quote opens a quoted field only at the start of a field (<see cref="CsvRecordScanner"/>, which also
/// gives the rule for a quoted field that never closes). Reads with positional I/O into one pooled buffer
/// that grows only when a single record is larger than it; returned spans are valid until the next read.
/// </summary>
public sealed class SplitRecordReader : IDisposable
{
    /// <summary>Default buffer size (1 MiB): large sequential reads, few refills.</summary>
    public const int DefaultBufferSize = 1 << 20;

    private readonly IRangeReader _source;
    private readonly long _end;
    private readonly bool _csv;
    private readonly byte _delimiter;
    private readonly int _maxQuotedFieldBytes = CsvRecordScanner.MaxQuotedFieldBytes;
    private CsvRecordScanner _scanner;
    private long _length;
    private byte[] _buffer;
    private long _bufferOffset;
    private int _count;
    private int _pos;
    private bool _done;

    /// <summary>Reads the records of [start, end) of a local file; CSV framing (<paramref name="csvQuotes"/>) needs the file's <paramref name="csvDelimiter"/>.</summary>
    public SplitRecordReader(string path, long start, long end, bool csvQuotes, int bufferSize = DefaultBufferSize, char csvDelimiter = ',')
        : this(new FileRangeReader(path), start, end, csvQuotes, bufferSize, csvDelimiter)
    {
    }

    /// <summary>Reads the records of [start, end) of <paramref name="source"/>, which this reader owns (and disposes).</summary>
    public SplitRecordReader(IRangeReader source, long start, long end, bool csvQuotes, int bufferSize = DefaultBufferSize, char csvDelimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _source = source;
        _length = _source.Length;
        _end = Math.Min(end, _length);
        _csv = csvQuotes;
        _delimiter = csvQuotes ? checked((byte)csvDelimiter) : (byte)0;
        _scanner = new CsvRecordScanner(_delimiter);
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        _bufferOffset = start;
        if (start >= _end)
        {
            _done = true;
        }
        else if (start == 0)
        {
            Fill();
            if (_buffer.AsSpan(0, _count).StartsWith(Utf8ByteOrderMark))
            {
                _pos = Utf8ByteOrderMark.Length;
            }
        }
        else if (start <= Utf8ByteOrderMark.Length && StartsWithByteOrderMark())
        {
            // A range starting inside or right after the mark: the file's first record starts right after it.
            _bufferOffset = Utf8ByteOrderMark.Length;
            _done = _bufferOffset >= _end;
        }
        else if (!StartsAfterNewline(start))
        {
            SkipPartialRecord();
        }
    }

    /// <summary>The UTF-8 byte order mark (U+FEFF), which some editors and exporters write at the start of a file.</summary>
    public static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// CSV mode: false when the record <see cref="TryRead"/> returned last holds no <c>"</c> at all, so its fields
    /// are plain runs between delimiters (true in text mode: nothing is known).
    /// </summary>
    public bool LastRecordHasQuote { get; private set; } = true;

    /// <summary>CSV mode: the longest a quoted field may be before its record is cut (tests set it low; see <see cref="CsvRecordScanner"/>).</summary>
    internal int MaxQuotedFieldBytes
    {
        get => _maxQuotedFieldBytes;
        init
        {
            _maxQuotedFieldBytes = value;
            _scanner = new CsvRecordScanner(_delimiter, value);
        }
    }

    /// <summary>File offset of the next record (or of the end of what this reader consumed).</summary>
    public long Position => _bufferOffset + _pos;

    public bool TryRead(out ReadOnlySpan<byte> record, out long offset)
    {
        offset = _bufferOffset + _pos;
        if (_done || offset >= _end)
        {
            _done = true;
            record = default;
            return false;
        }

        if (_csv)
        {
            return TryReadCsv(out record);
        }

        var scan = _pos;
        while (true)
        {
            var found = _buffer.AsSpan(scan, _count - scan).IndexOf((byte)'\n');
            if (found >= 0)
            {
                var terminator = scan + found;
                record = TrimCarriageReturn(_buffer.AsSpan(_pos, terminator - _pos));
                _pos = terminator + 1;
                return true;
            }

            if (_bufferOffset + _count >= _length)
            {
                // The last record of the file has no terminator.
                record = TrimCarriageReturn(_buffer.AsSpan(_pos, _count - _pos));
                _pos = _count;
                return true;
            }

            scan = _count - _pos;
            Compact();
            Fill();
        }
    }

    private bool TryReadCsv(out ReadOnlySpan<byte> record)
    {
        // Most records hold no quote: their end is the first '\n', found without the scanner.
        var plain = _buffer.AsSpan(_pos, _count - _pos).IndexOfAny((byte)'"', (byte)'\n');
        if (plain >= 0 && _buffer[_pos + plain] == (byte)'\n')
        {
            record = TrimCarriageReturn(_buffer.AsSpan(_pos, plain));
            _pos += plain + 1;
            LastRecordHasQuote = false;
            return true;
        }

        ref var scanner = ref _scanner;
        scanner.StartRecord();
        var scan = _pos;
        while (true)
        {
            var found = scanner.FindRecordEnd(_buffer.AsSpan(scan, _count - scan), _bufferOffset + scan);
            if (found == CsvRecordScanner.Resync || (found == CsvRecordScanner.NeedMore && _bufferOffset + _count >= _length && scanner.EndOfInput()))
            {
                // A quoted field that did not close: the record ends at the first '\n' after its opening quote, which
                // (like the whole record) is still in the buffer.
                scan = (int)(scanner.ResumeAt - _bufferOffset);
                continue;
            }

            if (found >= 0)
            {
                var terminator = scan + found;
                record = TrimCarriageReturn(_buffer.AsSpan(_pos, terminator - _pos));
                _pos = terminator + 1;
                LastRecordHasQuote = scanner.SawQuote;
                return true;
            }

            if (_bufferOffset + _count >= _length)
            {
                // The last record of the file has no terminator.
                record = TrimCarriageReturn(_buffer.AsSpan(_pos, _count - _pos));
                _pos = _count;
                LastRecordHasQuote = scanner.SawQuote;
                return true;
            }

            scan = _count - _pos;
            Compact();
            Fill();
        }
    }

    /// <summary>
    /// Text mode only: the next run of whole records this range owns, as one span (records end at <c>\n</c>;
    /// the span ends right after a <c>\n</c> except for a last record without one), so a job that does not
    /// care where records end (a tokenizer that treats <c>\r</c> and <c>\n</c> as separators) scans big
    /// blocks instead of calling per record. <paramref name="records"/> is how many records the block holds.
    /// The span is valid until the next read.
    /// </summary>
    public bool TryReadBlock(out ReadOnlySpan<byte> block, out int records)
    {
        if (_csv)
        {
            throw new InvalidOperationException("Blocks are for text records; CSV records need quote-aware framing (TryRead).");
        }

        while (true)
        {
            var offset = _bufferOffset + _pos;
            var window = _buffer.AsSpan(_pos, _count - _pos);
            var atEnd = _bufferOffset + _count >= _length;
            if (_done || offset >= _end || (window.IsEmpty && atEnd))
            {
                _done = true;
                block = default;
                records = 0;
                return false;
            }

            var cut = WholeRecordsEnd(window, _end - offset, atEnd);

            if (cut > 0)
            {
                block = window[..cut];
                _pos += cut;
                records = block.Count((byte)'\n') + (block[^1] == (byte)'\n' ? 0 : 1);
                return true;
            }

            Compact(); // no whole record in the buffer: read more (grows it when one record fills it)
            Fill();
        }
    }

    /// <summary>
    /// CSV mode: the next run of whole records this range owns that holds no <c>"</c> at all, so every <c>\n</c> in
    /// it ends a record and every delimiter ends a field (the reader is always at a record start, and without
    /// quotes nothing can hide a newline). Returns <see cref="CsvBlock.Block"/> with the span (ending right after a
    /// <c>\n</c>, or at the end of the file) and the file offset of its first byte; <see cref="CsvBlock.QuotedRecord"/>
    /// when the very next record holds a quote (read it with <see cref="TryRead"/>, then go on with blocks); or
    /// <see cref="CsvBlock.End"/>. The span is valid until the next read.
    /// </summary>
    public CsvBlock TryReadUnquotedBlock(out ReadOnlySpan<byte> block, out long offset)
    {
        if (!_csv)
        {
            throw new InvalidOperationException("Unquoted blocks are a CSV read; text records use TryReadBlock.");
        }

        block = default;
        while (true)
        {
            offset = _bufferOffset + _pos;
            var window = _buffer.AsSpan(_pos, _count - _pos);
            var atEnd = _bufferOffset + _count >= _length;
            if (_done || offset >= _end || (window.IsEmpty && atEnd))
            {
                _done = true;
                return CsvBlock.End;
            }

            // A quote before the cut (the only way a '\n' could be inside a field) is found below and cuts the block
            // before its record.
            var cut = WholeRecordsEnd(window, _end - offset, atEnd);

            if (cut > 0)
            {
                var quote = window[..cut].IndexOf((byte)'"');
                if (quote >= 0)
                {
                    // Whole records before the one holding the quote.
                    cut = window[..quote].LastIndexOf((byte)'\n') + 1;
                    if (cut == 0)
                    {
                        return CsvBlock.QuotedRecord;
                    }
                }

                block = window[..cut];
                _pos += cut;
                return CsvBlock.Block;
            }

            Compact(); // no whole record in the buffer: read more (grows it when one record fills it)
            Fill();
        }
    }

    public void Dispose()
    {
        _source.Dispose();
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Where the whole records this range owns end in <paramref name="window"/> (the buffered bytes from the reader's
    /// position, <paramref name="limit"/> = bytes from there to the range's end): records that start at or after the
    /// range's end belong to the next range, so the last one owned ends at the first <c>\n</c> at or after its last
    /// byte; within the window, after the last <c>\n</c> in it. -1 when no record ends in the window (read more), the
    /// window's length at the end of a file whose last record has no terminator.
    /// </summary>
    private static int WholeRecordsEnd(ReadOnlySpan<byte> window, long limit, bool atEnd)
    {
        int newline;
        int cut;
        if (limit <= window.Length)
        {
            var from = (int)(limit - 1);
            newline = window[from..].IndexOf((byte)'\n');
            cut = newline >= 0 ? from + newline + 1 : -1;
        }
        else
        {
            newline = window.LastIndexOf((byte)'\n');
            cut = newline >= 0 ? newline + 1 : -1;
        }

        return cut < 0 && atEnd ? window.Length : cut;
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> span) =>
        span.Length > 0 && span[^1] == (byte)'\r' ? span[..^1] : span;

    private bool StartsAfterNewline(long start)
    {
        Span<byte> one = stackalloc byte[1];
        return _source.Read(one, start - 1) == 1 && one[0] == (byte)'\n';
    }

    private bool StartsWithByteOrderMark()
    {
        Span<byte> head = stackalloc byte[3];
        return _source.Read(head, 0) == head.Length && head.SequenceEqual(Utf8ByteOrderMark);
    }

    private void SkipPartialRecord()
    {
        // Skip to just after the next '\n' (plain newline even in CSV mode: CSV ranges come from the
        // planner and start at record boundaries, so they never get here).
        while (true)
        {
            var found = _buffer.AsSpan(_pos, _count - _pos).IndexOf((byte)'\n');
            if (found >= 0)
            {
                _pos += found + 1;
                return;
            }

            _bufferOffset += _count;
            _count = 0;
            _pos = 0;
            if (_bufferOffset >= _length)
            {
                _done = true;
                return;
            }

            Fill();
        }
    }

    private void Compact()
    {
        var remaining = _count - _pos;
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, remaining);
            _bufferOffset += _pos;
            _pos = 0;
            _count = remaining;
        }

        if (_count == _buffer.Length)
        {
            // One record fills the whole buffer: grow it.
            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _count);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }

    private void Fill()
    {
        var read = _source.Read(_buffer.AsSpan(_count), _bufferOffset + _count);
        if (read == 0)
        {
            // The file shrank since it was opened: treat what we have as the end.
            _length = _bufferOffset + _count;
        }

        _count += read;
    }
}

/// <summary>What <see cref="SplitRecordReader.TryReadUnquotedBlock"/> found.</summary>
public enum CsvBlock
{
    /// <summary>Nothing more in the range.</summary>
    End,

    /// <summary>A run of whole quote-free records.</summary>
    Block,

    /// <summary>The next record holds a quote: read it with <see cref="SplitRecordReader.TryRead"/>.</summary>
    QuotedRecord,
}
