using System.Buffers;
using System.Text;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// A job's per-split records (state, silo, attempts, retries, resumes, duration, records, bad records) as parallel
/// arrays, silo names interned once. Persisted in a compact form (<see cref="Encode"/>): a version byte, the silo names,
/// then per split one state byte and six varints — about 8–12 bytes a split, so 10,000 splits persist in ~100 KB.
/// Not thread-safe: one activation's turns.
/// </summary>
internal sealed class SplitLedger
{
    private const byte Version = 1;
    private const int MaxSilos = 1 << 16;

    private readonly List<string> _silos = [];
    private readonly Dictionary<string, int> _siloIndex = new(StringComparer.Ordinal);
    private readonly SplitState[] _state;
    private readonly int[] _silo; // index into _silos, -1: unknown
    private readonly int[] _attempts;
    private readonly int[] _retries;
    private readonly int[] _resumes;
    private readonly long[] _durationMs;
    private readonly long[] _records;
    private readonly long[] _bad;

    public SplitLedger(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _state = new SplitState[count];
        _silo = new int[count];
        Array.Fill(_silo, -1);
        _attempts = new int[count];
        _retries = new int[count];
        _resumes = new int[count];
        _durationMs = new long[count];
        _records = new long[count];
        _bad = new long[count];
    }

    public int Count => _state.Length;

    /// <summary>A ledger for a job planned before per-split records were kept: its done splits, nothing else known.</summary>
    public static SplitLedger FromDone(int count, IEnumerable<int> done)
    {
        var ledger = new SplitLedger(count);
        foreach (var id in done)
        {
            if ((uint)id < (uint)count)
            {
                ledger._state[id] = SplitState.Done;
            }
        }

        return ledger;
    }

    public SplitState StateOf(int split) => _state[split];

    /// <summary>The split is dispatched: Running; a resume when an earlier run of it was cut off (it was still Running, or was reset to Pending after running).</summary>
    public void Dispatched(int split)
    {
        if (_state[split] == SplitState.Running || (_state[split] == SplitState.Pending && _attempts[split] > 0))
        {
            _resumes[split]++;
        }

        _state[split] = SplitState.Running;
    }

    public void Attempted(int split) => _attempts[split]++;

    public void Retried(int split) => _retries[split]++;

    public void Failed(int split) => _state[split] = SplitState.Failed;

    public void Done(int split, string silo, TimeSpan duration, long records, long badRecords)
    {
        _state[split] = SplitState.Done;
        _silo[split] = Intern(silo);
        _durationMs[split] = Math.Max(0, (long)duration.TotalMilliseconds);
        _records[split] = records;
        _bad[split] = badRecords;
    }

    /// <summary>A done split a shard turned out to lack: to be run again.</summary>
    public void Reset(int split)
    {
        if ((uint)split < (uint)_state.Length)
        {
            _state[split] = SplitState.Pending;
        }
    }

    /// <summary>Done splits per silo; done splits with no known silo count under "".</summary>
    public Dictionary<string, int> DoneBySilo()
    {
        var counts = new int[_silos.Count + 1];
        for (var i = 0; i < _state.Length; i++)
        {
            if (_state[i] == SplitState.Done)
            {
                counts[_silo[i] + 1]++;
            }
        }

        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] > 0)
            {
                result[s == 0 ? "" : _silos[s - 1]] = counts[s];
            }
        }

        return result;
    }

    public SplitPage Page(int offset, int limit, SplitState? state)
    {
        var page = new SplitPage();
        for (var i = 0; i < _state.Length; i++)
        {
            if (state is { } wanted && _state[i] != wanted)
            {
                continue;
            }

            if (page.Total >= offset && page.Splits.Count < limit)
            {
                page.Splits.Add(Record(i));
            }

            page.Total++;
        }

        return page;
    }

    public SplitRecord Record(int split) => new()
    {
        SplitId = split,
        State = _state[split],
        Silo = _silo[split] < 0 ? null : _silos[_silo[split]],
        Attempts = _attempts[split],
        Retries = _retries[split],
        Resumes = _resumes[split],
        DurationMs = _durationMs[split],
        Records = _records[split],
        BadRecords = _bad[split],
    };

    private int Intern(string silo)
    {
        if (string.IsNullOrEmpty(silo))
        {
            return -1;
        }

        if (!_siloIndex.TryGetValue(silo, out var index))
        {
            if (_silos.Count >= MaxSilos)
            {
                return -1; // a pathological number of silo generations: the rest stay unknown rather than grow without bound
            }

            index = _silos.Count;
            _silos.Add(silo);
            _siloIndex.Add(silo, index);
        }

        return index;
    }

    public byte[] Encode()
    {
        var writer = new ArrayBufferWriter<byte>(16 + (_state.Length * 10) + (_silos.Count * 32));
        writer.Write([Version]);
        WriteVarint(writer, (ulong)_silos.Count);
        foreach (var silo in _silos)
        {
            var length = Encoding.UTF8.GetByteCount(silo);
            WriteVarint(writer, (ulong)length);
            Encoding.UTF8.GetBytes(silo, writer.GetSpan(length));
            writer.Advance(length);
        }

        WriteVarint(writer, (ulong)_state.Length);
        for (var i = 0; i < _state.Length; i++)
        {
            var span = writer.GetSpan(1 + (6 * 10));
            var at = 0;
            span[at++] = (byte)_state[i];
            at += PutVarint(span[at..], (ulong)(_silo[i] + 1));
            at += PutVarint(span[at..], (ulong)_attempts[i]);
            at += PutVarint(span[at..], (ulong)_retries[i]);
            at += PutVarint(span[at..], (ulong)_resumes[i]);
            at += PutVarint(span[at..], (ulong)_durationMs[i]);
            at += PutVarint(span[at..], (ulong)_records[i]);
            at += PutVarint(span[at..], (ulong)_bad[i]);
            writer.Advance(at);
        }

        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <see cref="Encode"/>'s form; <see cref="InvalidDataException"/> when it is not that.</summary>
    public static SplitLedger Decode(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        if (bytes.Length == 0 || bytes[at++] != Version)
        {
            throw new InvalidDataException("Unknown split ledger version.");
        }

        var siloCount = ReadInt(bytes, ref at, MaxSilos);
        var silos = new string[siloCount];
        for (var s = 0; s < siloCount; s++)
        {
            var length = ReadInt(bytes, ref at, 1024);
            if (bytes.Length - at < length)
            {
                throw new InvalidDataException("Split ledger truncated.");
            }

            silos[s] = Encoding.UTF8.GetString(bytes.Slice(at, length));
            at += length;
        }

        var count = ReadInt(bytes, ref at, bytes.Length); // every split takes at least 8 bytes
        var ledger = new SplitLedger(count);
        foreach (var silo in silos)
        {
            ledger._siloIndex.TryAdd(silo, ledger._silos.Count);
            ledger._silos.Add(silo);
        }

        for (var i = 0; i < count; i++)
        {
            if (at >= bytes.Length || bytes[at] > (byte)SplitState.Failed)
            {
                throw new InvalidDataException("Split ledger: bad split state.");
            }

            ledger._state[i] = (SplitState)bytes[at++];
            ledger._silo[i] = ReadInt(bytes, ref at, siloCount) - 1;
            ledger._attempts[i] = ReadInt(bytes, ref at, int.MaxValue);
            ledger._retries[i] = ReadInt(bytes, ref at, int.MaxValue);
            ledger._resumes[i] = ReadInt(bytes, ref at, int.MaxValue);
            ledger._durationMs[i] = ReadLong(bytes, ref at);
            ledger._records[i] = ReadLong(bytes, ref at);
            ledger._bad[i] = ReadLong(bytes, ref at);
        }

        return at == bytes.Length ? ledger : throw new InvalidDataException("Split ledger: trailing bytes.");
    }

    private static void WriteVarint(ArrayBufferWriter<byte> writer, ulong value) => writer.Advance(PutVarint(writer.GetSpan(10), value));

    private static int PutVarint(Span<byte> span, ulong value)
    {
        var at = 0;
        while (value >= 0x80)
        {
            span[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[at++] = (byte)value;
        return at;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length)
            {
                throw new InvalidDataException("Split ledger truncated.");
            }

            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("Split ledger: varint too long.");
    }

    private static int ReadInt(ReadOnlySpan<byte> bytes, ref int at, int max)
    {
        var value = ReadVarint(bytes, ref at);
        return value <= (ulong)max ? (int)value : throw new InvalidDataException("Split ledger: value out of range.");
    }

    private static long ReadLong(ReadOnlySpan<byte> bytes, ref int at)
    {
        var value = ReadVarint(bytes, ref at);
        return value <= long.MaxValue ? (long)value : throw new InvalidDataException("Split ledger: value out of range.");
    }
}
