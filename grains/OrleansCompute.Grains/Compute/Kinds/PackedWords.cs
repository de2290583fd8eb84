using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// Word count results made and joined in their packed wire form (<see cref="WordCountResult.FromPacked"/>): a shard's
/// words are sorted as UTF-8 straight from its <see cref="Utf8CountTable"/>, and the job merges the shards' sorted
/// runs by copying entries, so the silo never makes a string per word (the reader of <see cref="WordCountResult.Words"/>
/// does, once). The order is exactly <see cref="WordCountJob"/>'s: count (descending unless top-k says ascending),
/// then the word in ordinal UTF-16 order. UTF-8 byte order is code point order, which differs from UTF-16 order only
/// between supplementary characters (surrogate pairs, D800–DFFF) and U+E000–U+FFFF: lead bytes are remapped
/// (F0–F4 before EE–EF) wherever bytes are compared, which makes byte order UTF-16 order for valid UTF-8.
/// </summary>
internal static class PackedWords
{
    private static readonly byte[] s_order = BuildOrder();

    /// <summary>A shard's (or a whole job's) result from its table: every word sorted, cut to K with top-k.</summary>
    public static WordCountResult Finish(Utf8CountTable counts, TopKOptions? topK)
    {
        var entries = new Entry[counts.Count];
        var arena = LargeArrayPool<byte>.Shared.Rent(Math.Max(256, counts.Count * 12));
        try
        {
            Span<byte> scratch = stackalloc byte[16];
            var descending = topK?.Descending ?? true;
            var used = 0;
            var n = 0;
            long total = 0;
            for (var i = 0; i < counts.SlotCount; i++)
            {
                if (!counts.TryGetEntry(i, scratch, out var key, out var count))
                {
                    continue;
                }

                if (arena.Length - used < key.Length)
                {
                    var grown = LargeArrayPool<byte>.Shared.Rent(Math.Max(arena.Length * 2, used + key.Length));
                    arena.AsSpan(0, used).CopyTo(grown);
                    LargeArrayPool<byte>.Shared.Return(arena);
                    arena = grown;
                }

                key.CopyTo(arena.AsSpan(used));
                entries[n++] = new Entry(descending ? -count : count, Prefix(key), used, key.Length, count);
                used += key.Length;
                total += count;
            }

            entries.AsSpan().Sort(new EntryComparer(arena));
            var take = topK is null ? entries.Length : (int)Math.Min(topK.K, entries.Length);
            var size = 0;
            for (var i = 0; i < take; i++)
            {
                size += VarInt.Length((ulong)entries[i].Length) + entries[i].Length + VarInt.Length((ulong)entries[i].Count);
            }

            var packed = new byte[size];
            var at = 0;
            for (var i = 0; i < take; i++)
            {
                at += Write(packed.AsSpan(at), arena.AsSpan(entries[i].Start, entries[i].Length), entries[i].Count);
            }

            return WordCountResult.FromPacked(packed, at, take, total, entries.Length);
        }
        finally
        {
            LargeArrayPool<byte>.Shared.Return(arena);
        }
    }

    /// <summary>
    /// Merges shard results (disjoint words, each sorted in result order) into one in that order, cut to K: the top K
    /// of the union are among the shards' top Ks. Totals add up. Shards are read packed (a result whose list was
    /// already decoded is packed again first).
    /// </summary>
    public static WordCountResult Join(IReadOnlyList<WordCountResult> shards, TopKOptions? topK)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var descending = topK?.Descending ?? true;
        var runs = new Run[shards.Count];
        long total = 0, distinct = 0, available = 0, bytes = 0;
        for (var s = 0; s < runs.Length; s++)
        {
            var shard = shards[s];
            total += shard.TotalWords;
            distinct += shard.DistinctWords;
            var packed = shard.TryGetPacked(out var memory, out var count) ? memory : Pack(shard.Words, out count);
            available += count;
            bytes += packed.Length;
            runs[s] = new Run(packed, descending);
        }

        var take = (int)Math.Min(available, topK?.K ?? long.MaxValue);
        var output = new byte[bytes];
        var at = 0;
        for (var written = 0; written < take; written++)
        {
            var best = -1;
            for (var s = 0; s < runs.Length; s++)
            {
                if (!runs[s].AtEnd && (best < 0 || Compare(runs[s], runs[best]) < 0))
                {
                    best = s;
                }
            }

            at += runs[best].CopyCurrent(output.AsSpan(at));
            runs[best].Next(descending);
        }

        return WordCountResult.FromPacked(output, at, take, total, distinct);
    }

    /// <summary>Two words in result order given their count keys and bytes.</summary>
    public static int Compare(long xKey, ulong xPrefix, ReadOnlySpan<byte> x, long yKey, ulong yPrefix, ReadOnlySpan<byte> y)
    {
        var c = xKey.CompareTo(yKey);
        if (c != 0)
        {
            return c;
        }

        c = xPrefix.CompareTo(yPrefix);
        return c != 0 ? c : CompareWords(x, y);
    }

    /// <summary>Ordinal UTF-16 order of two valid UTF-8 words, compared as bytes.</summary>
    public static int CompareWords(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var common = x.CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length.CompareTo(y.Length); // one is a prefix of the other: the shorter first
        }

        return s_order[x[common]].CompareTo(s_order[y[common]]);
    }

    /// <summary>The first eight bytes, order-remapped, big-endian (a shorter word is padded with zeros, which no word contains).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Prefix(ReadOnlySpan<byte> word)
    {
        ulong prefix = 0;
        for (var i = 0; i < 8; i++)
        {
            prefix = (prefix << 8) | (i < word.Length ? s_order[word[i]] : 0u);
        }

        return prefix;
    }

    private static int Write(Span<byte> output, ReadOnlySpan<byte> word, long count)
    {
        var n = VarInt.Write((ulong)word.Length, output);
        word.CopyTo(output[n..]);
        n += word.Length;
        return n + VarInt.Write((ulong)count, output[n..]);
    }

    private static ReadOnlyMemory<byte> Pack(List<WordFrequency> words, out int count)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var word in words)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(word.Word);
            output.Advance(Write(output.GetSpan(utf8.Length + 20), utf8, word.Count));
        }

        count = words.Count;
        return output.WrittenMemory;
    }

    private static int Compare(in Run x, in Run y) => Compare(x.Key, x.WordPrefix, x.Word, y.Key, y.WordPrefix, y.Word);

    private static byte[] BuildOrder()
    {
        var order = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            order[b] = b switch
            {
                >= 0xF0 and <= 0xF4 => (byte)(b - 0xF0 + 0xEE), // supplementary leads (surrogate pairs in UTF-16) …
                0xEE => 0xF3,                                      // … before the leads of U+E000–U+FFFF
                0xEF => 0xF4,
                _ => (byte)b,
            };
        }

        return order;
    }

    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Entry(long Key, ulong Prefix, int Start, int Length, long Count);

    private readonly struct EntryComparer(byte[] arena) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y) =>
            PackedWords.Compare(x.Key, x.Prefix, arena.AsSpan(x.Start, x.Length), y.Key, y.Prefix, arena.AsSpan(y.Start, y.Length));
    }

    /// <summary>A cursor over one shard's packed run.</summary>
    private struct Run
    {
        private readonly ReadOnlyMemory<byte> _packed;
        private int _at;   // start of the current entry
        private int _size; // its length in bytes
        private int _wordStart;
        private int _wordLength;

        public Run(ReadOnlyMemory<byte> packed, bool descending)
        {
            _packed = packed;
            Read(descending);
        }

        public readonly bool AtEnd => _at >= _packed.Length;

        public long Key { get; private set; }

        public ulong WordPrefix { get; private set; }

        public readonly ReadOnlySpan<byte> Word => _packed.Span.Slice(_wordStart, _wordLength);

        public readonly int CopyCurrent(Span<byte> output)
        {
            _packed.Span.Slice(_at, _size).CopyTo(output);
            return _size;
        }

        public void Next(bool descending)
        {
            _at += _size;
            Read(descending);
        }

        private void Read(bool descending)
        {
            if (AtEnd)
            {
                return;
            }

            var span = _packed.Span;
            var at = _at;
            _wordLength = (int)VarInt.Read(span, ref at);
            _wordStart = at;
            at += _wordLength;
            var count = (long)VarInt.Read(span, ref at);
            _size = at - _at;
            Key = descending ? -count : count;
            WordPrefix = Prefix(span.Slice(_wordStart, _wordLength));
        }
    }
}
