namespace OrleansCompute.Serialization.Tests;

public sealed class CorruptInputTests
{
    private static byte[] Sample() => Serializer.Serialize(new OrderV2
    {
        Id = "order",
        Total = 1.5m,
        ShipTo = new SpecialAddress { Street = "s", Note = "n" },
        Lines = [new OrderLine { Sku = "x", Quantity = 3 }],
        Extra = new() { ["k"] = new Address() },
        Tagged = new List<int> { 1, 2, 3 },
    });

    [Fact]
    public void Every_truncation_throws_a_SerializerException()
    {
        var bytes = Sample();
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            var ex = Assert.Throws<SerializerException>(() => Serializer.Deserialize<OrderV2>(prefix));
            Assert.False(string.IsNullOrEmpty(ex.Message));
        }
    }

    [Fact]
    public void Random_corruption_either_succeeds_or_throws_a_SerializerException()
    {
        var bytes = Sample();
        var random = new Random(42);
        for (var i = 0; i < 3000; i++)
        {
            var corrupt = bytes.ToArray();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            try
            {
                Serializer.Deserialize<OrderV2>(corrupt);
                Serializer.Deserialize<OrderV1>(corrupt);
            }
            catch (SerializerException)
            {
            }
        }
    }

    [Fact]
    public void Trailing_bytes_and_wrong_wire_types_are_rejected_with_clear_messages()
    {
        var bytes = Serializer.Serialize(5).Concat(new byte[] { 1 }).ToArray();
        Assert.Contains("unexpected bytes", Assert.Throws<SerializerException>(() => Serializer.Deserialize<int>(bytes)).Message, StringComparison.Ordinal);

        var text = Serializer.Serialize("text");
        var ex = Assert.Throws<SerializerException>(() => Serializer.Deserialize<int>(text));
        Assert.Contains("VarInt", ex.Message, StringComparison.Ordinal);

        Assert.Throws<SerializerException>(() => Serializer.Deserialize<int>([]));
    }

    [Fact]
    public void Hostile_nesting_fails_with_a_depth_error_instead_of_a_stack_overflow()
    {
        // TreeNode.Left (field 1) nested 100k times: StartObject headers and no end.
        const byte LeftStart = (1 << 3) | (byte)WireType.StartObject;
        var bytes = new byte[100_001];
        bytes[0] = (byte)WireType.StartObject;
        bytes.AsSpan(1).Fill(LeftStart);

        var ex = Assert.Throws<SerializerException>(() => Serializer.Deserialize<TreeNode>(bytes));
        Assert.Contains("deep", ex.Message, StringComparison.Ordinal);

        // The same input skipped as an unknown field (OrderV1 has no field 1 of object type).
        Assert.Throws<SerializerException>(() => Serializer.Deserialize<OrderV1>(bytes));
    }

    [Fact]
    public void A_huge_declared_collection_count_does_not_allocate_beyond_the_input()
    {
        using var buffer = new PooledBufferWriter();
        var writer = new Writer(buffer);
        writer.WriteStartObject(0);
        writer.WriteUInt32(0, int.MaxValue);
        writer.WriteEndObject();
        writer.Commit();

        Assert.Throws<SerializerException>(() => Serializer.Deserialize<int[]>(buffer.WrittenSpan));
        Assert.Empty(Serializer.Deserialize<List<int>>(buffer.WrittenSpan));
    }
}
