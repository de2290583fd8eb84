using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// Finds where CSV records end, the way Python's <c>csv</c> module and DuckDB read RFC 4180: a <c>"</c> opens a
/// quoted field only at the start of a field (the record's first byte, or right after a delimiter); anywhere else it
/// is a literal character. Inside a quoted field <c>""</c> is a quote and delimiters and newlines are data; a lone
/// <c>"</c> closes it. A record ends at the first <c>\n</c> outside a quoted field.
/// <para>
/// <b>Resynchronising rule.</b> A quoted field whose closing quote is not within <see cref="MaxQuotedFieldBytes"/> of its
/// opening quote, or that is still open at the end of the input, does not swallow what follows: its record ends at the
/// first <c>\n</c> after the opening quote (the parser then reports it as one bad record), and framing goes on from the
/// next byte as from any record start. The rule depends only on the bytes from the record's start, so the planner
/// (which cuts splits at record starts) and every split's reader frame a file the same way.
/// </para>
/// The scanner is fed the input in consecutive pieces, each with its absolute position (a file offset); it keeps the
/// state between pieces. Only its caller holds the bytes: on <see cref="Resync"/> the caller feeds it again from
/// <see cref="ResumeAt"/>, a position it has seen before.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct CsvRecordScanner
{
    /// <summary>The longest a quoted field may be, from its opening quote to its closing one: 1 MiB (see the type's remarks).</summary>
    public const int MaxQuotedFieldBytes = 1 << 20;

    /// <summary><see cref="FindRecordEnd"/> / <see cref="Skip"/>: the piece ended before the record did; feed the next one.</summary>
    public const int NeedMore = -1;

    /// <summary><see cref="FindRecordEnd"/> / <see cref="Skip"/>: a quoted field did not close in time; feed again from <see cref="ResumeAt"/>.</summary>
    public const int Resync = -2;

    private readonly byte _delimiter;
    private readonly long _maxQuoted;
    private Phase _phase;
    private byte _previous;   // the byte before the next one fed (a '\n' at a record start)
    private long _quoteAt;    // the open quoted field's opening quote

    public CsvRecordScanner(byte delimiter, int maxQuotedFieldBytes = MaxQuotedFieldBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQuotedFieldBytes, 1);
        _delimiter = delimiter;
        _maxQuoted = maxQuotedFieldBytes;
        StartRecord();
    }

    private enum Phase : byte
    {
        /// <summary>Not in a quoted field.</summary>
        Outside,

        /// <summary>In a quoted field.</summary>
        Quoted,

        /// <summary>In a quoted field, and the last byte fed was a quote: the next byte says whether it closed the field.</summary>
        QuoteInQuoted,

        /// <summary>Resynchronising: the record ends at the next <c>\n</c>, whatever comes before it.</summary>
        SeekNewline,
    }

    /// <summary>Whether the current record has held a <c>"</c> so far (literal or not).</summary>
    public bool SawQuote { get; private set; }

    /// <summary>After <see cref="Resync"/>, or <see cref="EndOfInput"/> returning true: where to feed from next.</summary>
    public long ResumeAt { get; private set; }

    /// <summary>The next byte fed starts a record.</summary>
    public void StartRecord()
    {
        _phase = Phase.Outside;
        _previous = (byte)'\n';
        SawQuote = false;
    }

    /// <summary>
    /// The index in <paramref name="data"/> (which starts at <paramref name="position"/>) of the <c>\n</c> that ends the
    /// current record; <see cref="NeedMore"/> when it lies past <paramref name="data"/>; or <see cref="Resync"/>. After a
    /// found end, call <see cref="StartRecord"/> before feeding the next record.
    /// </summary>
    public int FindRecordEnd(ReadOnlySpan<byte> data, long position) => Scan(data, position, stopAtRecordEnd: true);

    /// <summary>
    /// Consumes all of <paramref name="data"/> (which starts at <paramref name="position"/>), records and all, keeping
    /// only the state: <see cref="NeedMore"/> once done, or <see cref="Resync"/>. Between records it looks only for quotes.
    /// </summary>
    public int Skip(ReadOnlySpan<byte> data, long position) => Scan(data, position, stopAtRecordEnd: false);

    /// <summary>
    /// The input ended. True when a quoted field is still open: the record then ends at the first <c>\n</c> after its
    /// opening quote, so feed again from <see cref="ResumeAt"/>. False when the record (if any) is simply the rest.
    /// </summary>
    public bool EndOfInput()
    {
        if (_phase != Phase.Quoted)
        {
            return false;
        }

        BeginResync();
        return true;
    }

    // One loop over the piece with the state in locals (written back once): the readers call it once per record.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Scan(ReadOnlySpan<byte> data, long position, bool stopAtRecordEnd)
    {
        if (data.IsEmpty)
        {
            return NeedMore;
        }

        var phase = _phase;
        var quoteAt = _quoteAt;
        var sawQuote = SawQuote;
        var result = NeedMore;
        var i = 0;
        while (i < data.Length)
        {
            if (phase == Phase.Outside)
            {
                var k = stopAtRecordEnd ? data[i..].IndexOfAny((byte)'"', (byte)'\n') : data[i..].IndexOf((byte)'"');
                if (k < 0)
                {
                    break;
                }

                var at = i + k;
                if (data[at] == (byte)'\n')
                {
                    result = at;
                    break;
                }

                sawQuote = true;
                var before = at > 0 ? data[at - 1] : _previous;
                i = at + 1;
                if (before != _delimiter && before != (byte)'\n')
                {
                    continue; // a quote inside a field: a literal character
                }

                phase = Phase.Quoted;
                quoteAt = position + at;
            }
            else if (phase == Phase.QuoteInQuoted)
            {
                // The previous piece ended with a quote inside quotes: "" goes on, anything else closed the field.
                if (data[i] == (byte)'"')
                {
                    i++;
                    phase = Phase.Quoted;
                }
                else
                {
                    phase = Phase.Outside;
                }

                continue;
            }
            else if (phase == Phase.SeekNewline)
            {
                var n = data[i..].IndexOf((byte)'\n');
                if (n < 0)
                {
                    break;
                }

                if (stopAtRecordEnd)
                {
                    result = i + n;
                    break;
                }

                i += n + 1;
                phase = Phase.Outside;
                sawQuote = false;
                continue;
            }

            // Quoted: the closing quote may lie at most _maxQuoted bytes after the opening one.
            var limit = (int)Math.Clamp(quoteAt + _maxQuoted + 1 - position, 0, data.Length);
            var q = i < limit ? data[i..limit].IndexOf((byte)'"') : -1;
            if (q < 0)
            {
                if (position + data.Length > quoteAt + _maxQuoted)
                {
                    phase = Phase.SeekNewline;
                    ResumeAt = quoteAt + 1;
                    result = Resync;
                }

                break;
            }

            i += q + 1;
            if (i == data.Length)
            {
                phase = Phase.QuoteInQuoted;
            }
            else if (data[i] == (byte)'"')
            {
                i++; // "" inside quotes
            }
            else
            {
                phase = Phase.Outside; // the quote closed the field; data[i] is looked at outside
            }
        }

        _phase = phase;
        _quoteAt = quoteAt;
        SawQuote = sawQuote;
        _previous = data[^1];
        return result;
    }

    private void BeginResync()
    {
        _phase = Phase.SeekNewline;
        ResumeAt = _quoteAt + 1;
    }
}
