using System.Text;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Kinds;
using Orleans.Serialization;
using OrleansCompute.Compute.Tests.Support;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Word count's UTF-8 table against a plain dictionary of byte strings: keys of every length around the inline limit
/// (16 bytes) and the 4/8-byte load boundaries, keys that differ only in their last byte or in trailing zero bytes,
/// growth from a tiny table, merging, sharding and the packed codec of <see cref="WordCountPartial"/>.
/// </summary>
public sealed class Utf8CountTableTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 50_000)]
    public void Counts_equal_a_dictionary_of_byte_strings_for_keys_of_every_length(int seed, int capacity)
    {
        var (keys, reference) = Keys(seed);
        var table = new Utf8CountTable(capacity);
        var rng = new Random(seed);
        foreach (var key in keys)
        {
            var n = rng.Next(1, 4);
            for (var i = 0; i < n; i++)
            {
                table.GetCountRef(key)++;
            }

            reference[Encoding.Latin1.GetString(key)] += n - 1; // Keys() counted each once
        }

        Assert.Equal(reference, Contents(table));
        Assert.Equal(reference.Values.Sum(), table.Total);
    }

    [Fact]
    public void Sharded_tables_hold_disjoint_keys_by_the_stable_shard_and_merge_back_to_the_whole()
    {
        var (keys, reference) = Keys(3);
        var table = new Utf8CountTable(8);
        foreach (var key in keys)
        {
            table.Add(key, 1);
        }

        var shards = table.Shard(5);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < shards.Length; s++)
        {
            foreach (var key in Contents(shards[s]).Keys)
            {
                Assert.True(seen.Add(key), $"{key} in two shards");
                Assert.Equal(s, Utf8CountTable.ShardOf(Encoding.Latin1.GetBytes(key), 5));
            }
        }

        var merged = new Utf8CountTable(4);
        foreach (var shard in shards.Reverse())
        {
            merged.AddAll(shard);
        }

        merged.AddAll(table); // every count twice
        Assert.Equal(reference.ToDictionary(p => p.Key, p => p.Value * 2), Contents(merged));
    }

    /// <summary>Slots are rented: a released table's slots come back to the next table of that size cleared.</summary>
    [Fact]
    public void A_table_rented_after_a_release_starts_empty()
    {
        for (var round = 0; round < 20; round++)
        {
            var table = new Utf8CountTable(1000);
            Assert.Equal(0, table.Count);
            Assert.Equal(0, table.Total);
            Assert.Empty(Contents(table));
            for (var i = 0; i < 900; i++)
            {
                table.Add(Encoding.ASCII.GetBytes($"word{i}-{round}"), i + 1); // grows once: the old slots go back too
            }

            Assert.Equal(900, Contents(table).Count);
            table.Release();
            Assert.ThrowsAny<Exception>(() => table.Add("late"u8, 1)); // a released table refuses use rather than count wrongly
        }
    }

    [Fact]
    public void A_word_count_partial_survives_the_serializer_with_every_key_and_count()
    {
        var (keys, reference) = Keys(4);
        var partial = new WordCountPartial { JobId = "j", SplitIds = [3, 9], Records = 77, Counts = new Utf8CountTable() };
        partial.BadRecords.Count = 2;
        foreach (var key in keys)
        {
            partial.Counts.Add(key, 1_000_000_000_000L + key.Length); // large counts: multi-byte varints
        }

        var copy = (WordCountPartial)Wire.Deserialize<IComputePartial>(Wire.Serialize<IComputePartial>(partial));

        Assert.Equal("j", copy.JobId);
        Assert.Equal([3, 9], copy.SplitIds);
        Assert.Equal(77, copy.Records);
        Assert.Equal(2, copy.BadRecords.Count);
        Assert.Equal(reference.ToDictionary(p => p.Key, p => 1_000_000_000_000L + p.Key.Length), Contents(copy.Counts));
        // Cut short, it is refused, not misread (Orleans's reader throws IndexOutOfRangeException when a length runs past the input).
        var cut = Record.Exception(() => Wire.Deserialize<IComputePartial>(Wire.Serialize<IComputePartial>(partial).AsSpan(0, 200)));
        Assert.True(cut is SerializerException or IndexOutOfRangeException, $"{cut}");
    }

    /// <summary>Distinct keys of 0..40 bytes (including zero bytes and pairs differing in one position), each counted once.</summary>
    private static (List<byte[]> Keys, Dictionary<string, long> Reference) Keys(int seed)
    {
        var rng = new Random(seed);
        var keys = new List<byte[]>();
        var reference = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(byte[] key)
        {
            if (reference.TryAdd(Encoding.Latin1.GetString(key), 1))
            {
                keys.Add(key);
            }
        }

        for (var length = 0; length <= 40; length++)
        {
            for (var i = 0; i < 300; i++)
            {
                var key = new byte[length];
                rng.NextBytes(key);
                Add(key);
                if (length > 0)
                {
                    var twin = (byte[])key.Clone();
                    twin[rng.Next(length)] ^= 1;
                    Add(twin);
                    var last = (byte[])key.Clone();
                    last[^1] = 0;
                    Add(last);
                }

                Add([.. key, 0]); // a trailing zero byte is another key
            }
        }

        return (keys, reference);
    }

    private static Dictionary<string, long> Contents(Utf8CountTable table)
    {
        var contents = new Dictionary<string, long>(StringComparer.Ordinal);
        Span<byte> scratch = stackalloc byte[16];
        for (var i = 0; i < table.SlotCount; i++)
        {
            if (table.TryGetEntry(i, scratch, out var key, out var count))
            {
                Assert.True(contents.TryAdd(Encoding.Latin1.GetString(key), count), "a key in two slots");
            }
        }

        Assert.Equal(contents.Count, table.Count);
        return contents;
    }
}
