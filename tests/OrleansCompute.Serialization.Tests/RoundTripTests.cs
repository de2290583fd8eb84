using System.Buffers;
using System.Collections.Immutable;
using System.Numerics;
using OrleansCompute.Storage;

namespace OrleansCompute.Serialization.Tests;

public sealed class RoundTripTests
{
    internal static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.Serialize(value));

    [Fact]
    public void Every_primitive_kind_round_trips_with_extreme_values()
    {
        var value = new Primitives
        {
            Bool = true,
            Byte = byte.MaxValue,
            SByte = sbyte.MinValue,
            Short = short.MinValue,
            UShort = ushort.MaxValue,
            Int = int.MinValue,
            UInt = uint.MaxValue,
            Long = long.MinValue,
            ULong = ulong.MaxValue,
            Float = float.NaN,
            Double = double.NegativeInfinity,
            Decimal = decimal.MinValue,
            Char = '\uffff',
            String = "héllo wörld ✓ 𝄞",
            Guid = Guid.NewGuid(),
            DateTime = new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567),
            DateTimeOffset = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(-9.5)),
            TimeSpan = TimeSpan.FromTicks(-123456789),
            DateOnly = DateOnly.MaxValue,
            TimeOnly = new TimeOnly(23, 59, 59, 999),
            Bytes = [0, 1, 2, 255],
            Uri = new Uri("https://example.com/a?b=c"),
            Version = new Version(1, 2, 3, 4),
            BigInteger = BigInteger.Pow(3, 200) * -1,
            Color = Color.Blue,
            SignedBytes = SignedBytes.Minus,
            BigFlags = BigFlags.High | BigFlags.Low,
            NullableInt = -1,
            NullableColor = Color.Green,
            Memory = new byte[] { 9, 8, 7 },
        };

        var copy = RoundTrip(value);

        Assert.Equal(value.Bool, copy.Bool);
        Assert.Equal(value.Byte, copy.Byte);
        Assert.Equal(value.SByte, copy.SByte);
        Assert.Equal(value.Short, copy.Short);
        Assert.Equal(value.UShort, copy.UShort);
        Assert.Equal(value.Int, copy.Int);
        Assert.Equal(value.UInt, copy.UInt);
        Assert.Equal(value.Long, copy.Long);
        Assert.Equal(value.ULong, copy.ULong);
        Assert.True(float.IsNaN(copy.Float));
        Assert.Equal(value.Double, copy.Double);
        Assert.Equal(value.Decimal, copy.Decimal);
        Assert.Equal(value.Char, copy.Char);
        Assert.Equal(value.String, copy.String);
        Assert.Equal(value.Guid, copy.Guid);
        Assert.Equal(value.DateTime, copy.DateTime);
        Assert.Equal(DateTimeKind.Utc, copy.DateTime.Kind);
        Assert.Equal(value.DateTimeOffset, copy.DateTimeOffset);
        Assert.Equal(value.DateTimeOffset.Offset, copy.DateTimeOffset.Offset);
        Assert.Equal(value.TimeSpan, copy.TimeSpan);
        Assert.Equal(value.DateOnly, copy.DateOnly);
        Assert.Equal(value.TimeOnly, copy.TimeOnly);
        Assert.Equal(value.Bytes, copy.Bytes);
        Assert.Equal(value.Uri, copy.Uri);
        Assert.Equal(value.Version, copy.Version);
        Assert.Equal(value.BigInteger, copy.BigInteger);
        Assert.Equal(value.Color, copy.Color);
        Assert.Equal(value.SignedBytes, copy.SignedBytes);
        Assert.Equal(value.BigFlags, copy.BigFlags);
        Assert.Equal(value.NullableInt, copy.NullableInt);
        Assert.Equal(value.NullableColor, copy.NullableColor);
        Assert.Equal(value.Memory.ToArray(), copy.Memory.ToArray());
    }

    [Fact]
    public void Defaults_and_nulls_round_trip_as_written_not_as_initialized()
    {
        var copy = RoundTrip(new Primitives());
        Assert.Null(copy.String);
        Assert.Null(copy.Bytes);
        Assert.Null(copy.Uri);
        Assert.Null(copy.NullableInt);
        Assert.Equal(default, copy.DateTime);

        // OrderV1.Currency is initialized to "EUR": a written null must not be resurrected.
        var order = RoundTrip(new OrderV1 { Currency = null! });
        Assert.Null(order.Currency);
    }

    [Theory]
    [InlineData(DateTimeKind.Utc)]
    [InlineData(DateTimeKind.Local)]
    [InlineData(DateTimeKind.Unspecified)]
    public void DateTime_keeps_its_kind(DateTimeKind kind)
    {
        var value = new DateTime(2001, 2, 3, 4, 5, 6, kind);
        var copy = RoundTrip(value);
        Assert.Equal(value, copy);
        Assert.Equal(kind, copy.Kind);
    }

    [Fact]
    public void Top_level_primitives_and_nulls_round_trip()
    {
        Assert.Equal(42, RoundTrip(42));
        Assert.Equal("x", RoundTrip("x"));
        Assert.Null(RoundTrip<string?>(null));
        Assert.Null(RoundTrip<Person?>(null));
        Assert.Null(RoundTrip<int?>(null));
        Assert.Equal(Color.Red, RoundTrip(Color.Red));
        Assert.Equal(string.Empty, RoundTrip(string.Empty));
        Assert.Equal(new string('x', 100_000), RoundTrip(new string('x', 100_000)));
    }

    [Fact]
    public void Collections_round_trip_with_contents()
    {
        var value = new Collections
        {
            Array = [1, -2, 3],
            List = ["a", null!, "c"],
            IList = [4, 5],
            IReadOnlyList = [6],
            ICollection = new HashSet<int> { 7, 8 },
            IEnumerable = Enumerable.Range(0, 5).Select(i => i * i),
            HashSet = ["x", "y"],
            Dictionary = new() { ["one"] = 1, ["two"] = 2 },
            IDictionary = new Dictionary<int, string> { [1] = "one" },
            IReadOnlyDictionary = new Dictionary<string, List<int>> { ["k"] = [1, 2, 3] },
            SortedDictionary = new() { [3] = "c", [1] = "a" },
            Pair = new("key", 9),
            ValueTuple = (5, "five"),
            Tuple = Tuple.Create(1, "t", true),
            Immutable = [10, 20, 30],
            Addresses = [new Address { Street = "Main", Number = 1 }, null!, new SpecialAddress { Street = "Side", Note = "n" }],
            NullableStrings = [null, "s"],
            Quad = (1, "2", 3.0, true),
        };

        var copy = RoundTrip(value);

        Assert.Equal(value.Array, copy.Array);
        Assert.Equal(value.List, copy.List);
        Assert.Equal(value.IList, copy.IList);
        Assert.Equal(value.IReadOnlyList, copy.IReadOnlyList);
        Assert.Equal(value.ICollection.Order(), copy.ICollection!.Order());
        Assert.Equal(value.IEnumerable, copy.IEnumerable);
        Assert.IsType<List<int>>(copy.IEnumerable);
        Assert.Equal(value.HashSet, copy.HashSet);
        Assert.Equal(value.Dictionary, copy.Dictionary);
        Assert.Equal(value.IDictionary, copy.IDictionary);
        Assert.Equal(value.IReadOnlyDictionary["k"], copy.IReadOnlyDictionary!["k"]);
        Assert.Equal(value.SortedDictionary, copy.SortedDictionary);
        Assert.Equal(value.Pair, copy.Pair);
        Assert.Equal(value.ValueTuple, copy.ValueTuple);
        Assert.Equal(value.Tuple, copy.Tuple);
        Assert.Equal(value.Immutable.ToArray(), copy.Immutable.ToArray());
        Assert.Equal(value.NullableStrings, copy.NullableStrings);
        Assert.Equal(value.Quad, copy.Quad);
        Assert.Equal(3, copy.Addresses!.Count);
        Assert.Equal("Main", copy.Addresses[0].Street);
        Assert.Null(copy.Addresses[1]);
        Assert.Equal("n", Assert.IsType<SpecialAddress>(copy.Addresses[2]).Note);
    }

    [Fact]
    public void Empty_and_null_collections_stay_empty_and_null()
    {
        var empty = RoundTrip(new Collections
        {
            Array = [],
            List = [],
            HashSet = [],
            Dictionary = [],
            Immutable = [],
            IEnumerable = [],
        });
        Assert.Empty(empty.Array!);
        Assert.Empty(empty.List!);
        Assert.Empty(empty.HashSet!);
        Assert.Empty(empty.Dictionary!);
        Assert.Empty(empty.IEnumerable!);
        Assert.True(empty.Immutable.IsEmpty);

        var nulls = RoundTrip(new Collections());
        Assert.Null(nulls.Array);
        Assert.Null(nulls.List);
        Assert.Null(nulls.Dictionary);
        Assert.Null(nulls.Tuple);
        Assert.True(nulls.Immutable.IsDefault);
    }

    [Fact]
    public void Top_level_collections_round_trip()
    {
        Assert.Equal([1, 2, 3], RoundTrip(new List<int> { 1, 2, 3 }));
        Assert.Equal(new Dictionary<string, int?> { ["a"] = null, ["b"] = 2 }, RoundTrip(new Dictionary<string, int?> { ["a"] = null, ["b"] = 2 }));
        Assert.Equal(new[] { new[] { 1 }, [] }, RoundTrip(new[] { new[] { 1 }, [] }));
        Assert.Equal(["a"], RoundTrip(ImmutableArray.Create("a")).ToArray());
    }

    [Fact]
    public void Nested_objects_and_generic_types_round_trip()
    {
        var box = new Box<Person>
        {
            Value = new Person { Name = "Ada", Home = new Address { Street = "A", Number = 1 } },
            Items = [new Person { Name = "Bob" }],
        };
        var copy = RoundTrip(box);
        Assert.Equal("Ada", copy.Value!.Name);
        Assert.Equal("A", copy.Value.Home!.Street);
        Assert.Equal("Bob", Assert.Single(copy.Items!).Name);

        var pair = RoundTrip(new Pair<string, Box<int>> { Key = "k", Map = new() { ["x"] = new Box<int> { Value = 5 } } });
        Assert.Equal("k", pair.Key);
        Assert.Equal(5, pair.Map!["x"].Value);

        Assert.Equal(7, RoundTrip(new Holder<Holder<int>> { Item = new Holder<int> { Item = 7 } }).Item.Item);
    }

    [Fact]
    public void Records_round_trip_through_their_primary_constructor_and_init_properties()
    {
        var record = new PositionalRecord("Ada", 36, ["x"]) { Extra = "more" };
        var copy = RoundTrip(record);
        Assert.Equal(record.Name, copy.Name);
        Assert.Equal(record.Age, copy.Age);
        Assert.Equal(record.Tags, copy.Tags);
        Assert.Equal("more", copy.Extra);

        Assert.Equal(new PointRecord(1, -2), RoundTrip(new PointRecord(1, -2)));
        Assert.Equal(new Circle(2.5), RoundTrip(new Circle(2.5)));
        Assert.Equal(new DefaultedRecord("n", 7), RoundTrip(new DefaultedRecord("n", 7)));
    }

    [Fact]
    public void Structs_and_private_state_round_trip()
    {
        var value = new MutableStruct { A = 3, B = "b", Hidden = long.MaxValue };
        var copy = RoundTrip(value);
        Assert.Equal(3, copy.A);
        Assert.Equal("b", copy.B);
        Assert.Equal(long.MaxValue, copy.Hidden);

        var encapsulated = new Encapsulated(5, "ro", "go", 6, 1.5) { InitOnly = "init" };
        var e = RoundTrip(encapsulated);
        Assert.Equal(5, e.Secret);
        Assert.Equal("ro", e.ReadOnly);
        Assert.Equal("go", e.GetOnly);
        Assert.Equal(6, e.PrivateSetter);
        Assert.Equal(1.5, e.Private);
        Assert.Equal("init", e.InitOnly);

        Assert.Equal(9, RoundTrip(PrivateCtor.Create(9)).Value);
        Assert.Equal(4, RoundTrip(new InternalType { Value = 4 }).Value);
        Assert.Equal("t", RoundTrip(new Outer.Nested { Text = "t" }).Text);
    }

    [Fact]
    public void Polymorphic_members_come_back_as_their_runtime_type()
    {
        var person = new Person
        {
            Name = "P",
            Home = new SpecialAddress { Street = "S", Number = 2, Note = "aliased" },
            Work = new UnaliasedAddress { Street = "W", Floor = 3 },
            Anything = new List<int> { 1, 2 },
            Shape = new Square(3),
            Pet = new Dog { Name = "Rex", GoodBoy = true },
        };

        var copy = RoundTrip(person);

        var home = Assert.IsType<SpecialAddress>(copy.Home);
        Assert.Equal(("S", 2, "aliased"), (home.Street, home.Number, home.Note));
        var work = Assert.IsType<UnaliasedAddress>(copy.Work);
        Assert.Equal(("W", 3), (work.Street, work.Floor));
        Assert.Equal([1, 2], Assert.IsType<List<int>>(copy.Anything));
        Assert.Equal(new Square(3), Assert.IsType<Square>(copy.Shape));
        var dog = Assert.IsType<Dog>(copy.Pet);
        Assert.Equal(("Rex", true), (dog.Name, dog.GoodBoy));
    }

    [Fact]
    public void Object_members_carry_primitives_strings_and_records()
    {
        foreach (object value in new object[] { 5, "s", 2.5, Color.Blue, Guid.Empty, new Circle(1), new int[] { 1 } })
        {
            var copy = RoundTrip(new Person { Anything = value }).Anything;
            Assert.Equal(value, copy);
            Assert.Equal(value.GetType(), copy!.GetType());
        }
    }

    [Fact]
    public void Aliased_types_are_written_by_alias_not_by_type_name()
    {
        var bytes = Serializer.Serialize<Address>(new SpecialAddress { Note = "n" });
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains("test.special-address", text, StringComparison.Ordinal);
        Assert.DoesNotContain(typeof(SpecialAddress).FullName!, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_trees_round_trip()
    {
        var root = new TreeNode { Value = 0 };
        var node = root;
        for (var i = 1; i < 200; i++)
        {
            node.Left = new TreeNode { Value = i };
            node.Right = new TreeNode { Value = -i };
            node = node.Left;
        }

        var copy = RoundTrip(root);
        var depth = 0;
        for (var n = copy; n is not null; n = n.Left)
        {
            Assert.Equal(depth, n.Value);
            depth++;
        }

        Assert.Equal(200, depth);
    }

    [Fact]
    public void A_cycle_fails_with_a_clear_exception_instead_of_overflowing_the_stack()
    {
        var node = new TreeNode { Value = 1 };
        node.Left = node;
        var ex = Assert.Throws<SerializerException>(() => Serializer.Serialize(node));
        Assert.Contains("cycle", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_without_codec_is_named_in_the_exception()
    {
        var ex = Assert.Throws<CodecNotFoundException>(() => Serializer.Serialize(new NotSerializable()));
        Assert.Contains(nameof(NotSerializable), ex.Message, StringComparison.Ordinal);
        Assert.Contains("[GenerateSerializer]", ex.Message, StringComparison.Ordinal);

        var inObject = Assert.Throws<CodecNotFoundException>(() => Serializer.Serialize(new Person { Anything = new NotSerializable() }));
        Assert.Equal(typeof(NotSerializable), inObject.Type);
    }

    [Fact]
    public void Buffer_writer_and_multi_segment_sequence_overloads_round_trip()
    {
        var value = new Box<string> { Value = new string('v', 5000), Items = ["a", "b"] };
        using var buffer = new PooledBufferWriter(16);
        Serializer.Serialize(value, buffer);
        var bytes = buffer.ToArray();
        Assert.Equal(bytes, Serializer.Serialize(value));

        var sequence = Segments.Create(bytes, 7);
        Assert.False(sequence.IsSingleSegment);
        var copy = Serializer.Deserialize<Box<string>>(sequence);
        Assert.Equal(value.Value, copy.Value);
        Assert.Equal(value.Items, copy.Items);
    }

    [Fact]
    public void Binary_grain_storage_serializer_round_trips_state()
    {
        AssertStateRoundTrips(new BinaryGrainStorageSerializer());
    }

#pragma warning disable CA1859 // the point is to use it through the storage interface
    private static void AssertStateRoundTrips(IGrainStorageSerializer serializer)
#pragma warning restore CA1859
    {
        var bytes = serializer.Serialize(new OrderV2 { Id = "o", Lines = [new OrderLine { Sku = "s", Quantity = 2 }] });
        var copy = serializer.Deserialize<OrderV2>(bytes);
        Assert.Equal("o", copy.Id);
        Assert.Equal(2, Assert.Single(copy.Lines).Quantity);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    private static class Segments
    {
        public static ReadOnlySequence<byte> Create(byte[] bytes, int segmentSize)
        {
            var first = new Segment(bytes.AsMemory(0, Math.Min(segmentSize, bytes.Length)), 0);
            var last = first;
            for (var offset = segmentSize; offset < bytes.Length; offset += segmentSize)
            {
                last = last.Append(bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset)));
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}

public sealed class GenericAndInheritanceTests
{
    [Fact]
    public void Private_and_init_only_members_of_generic_types_round_trip()
    {
        var value = GenericEncapsulated<string>.Create("v", ["a", "b"], "label");
        var copy = RoundTripTests.RoundTrip(value);
        Assert.Equal("v", copy.Value);
        Assert.Equal(["a", "b"], copy.InitOnly);
        Assert.Equal("label", copy.Label);

        Assert.Equal(5, RoundTripTests.RoundTrip(new GenericStruct<int>(5)).Item);
        Assert.Equal("s", RoundTripTests.RoundTrip(new GenericStruct<Box<string>>(new Box<string> { Value = "s" })).Item.Value);
    }

    [Fact]
    public void Derived_records_keep_base_record_members()
    {
        Shape shape = new Rectangle("r", 2, 3);
        var copy = RoundTripTests.RoundTrip(shape);
        Assert.Equal(shape, Assert.IsType<Rectangle>(copy));
        Assert.Equal(new Rectangle("r", 2, 3), RoundTripTests.RoundTrip(new Rectangle("r", 2, 3)));
    }
}
