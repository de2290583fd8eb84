namespace OrleansCompute.Serialization.Tests;

/// <summary>Round-trips many random values (fixed seed): re-serializing the copy must give the same bytes.</summary>
public sealed class PropertyTests
{
    private const int Iterations = 300;

    [Fact]
    public void Random_primitives_round_trip()
    {
        var random = new Random(1234);
        for (var i = 0; i < Iterations; i++)
        {
            var value = RandomPrimitives(random);
            var bytes = Serializer.Serialize(value);
            var copy = Serializer.Deserialize<Primitives>(bytes);
            Assert.Equal(bytes, Serializer.Serialize(copy));
            Assert.Equal(value.Long, copy.Long);
            Assert.Equal(value.String, copy.String);
            Assert.Equal(value.Decimal, copy.Decimal);
            Assert.Equal(value.DateTime, copy.DateTime);
        }
    }

    [Fact]
    public void Random_object_graphs_round_trip()
    {
        var random = new Random(5678);
        for (var i = 0; i < Iterations; i++)
        {
            var value = new Collections
            {
                Array = random.Next(4) == 0 ? null : Enumerable.Range(0, random.Next(20)).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray(),
                List = Enumerable.Range(0, random.Next(10)).Select(_ => RandomString(random)!).ToList(),
                Dictionary = Enumerable.Range(0, random.Next(10)).ToDictionary(k => "k" + k, _ => random.Next()),
                Addresses = Enumerable.Range(0, random.Next(5)).Select(_ => RandomAddress(random)!).ToList(),
                Pair = new(RandomString(random)!, random.Next()),
                ValueTuple = (random.Next(), RandomString(random)!),
            };
            var person = new Person
            {
                Name = RandomString(random) ?? string.Empty,
                Home = RandomAddress(random),
                Anything = random.Next(3) switch { 0 => null, 1 => random.NextDouble(), _ => RandomAddress(random) },
                Pet = random.Next(2) == 0 ? null : new Dog { Name = RandomString(random)!, GoodBoy = random.Next(2) == 0 },
            };

            var bytes = Serializer.Serialize(value);
            Assert.Equal(bytes, Serializer.Serialize(Serializer.Deserialize<Collections>(bytes)));
            var personBytes = Serializer.Serialize(person);
            Assert.Equal(personBytes, Serializer.Serialize(Serializer.Deserialize<Person>(personBytes)));
        }
    }

    internal static Primitives RandomPrimitives(Random random) => new()
    {
        Bool = random.Next(2) == 0,
        Byte = (byte)random.Next(256),
        SByte = (sbyte)random.Next(-128, 128),
        Short = (short)random.Next(short.MinValue, short.MaxValue + 1),
        UShort = (ushort)random.Next(ushort.MaxValue + 1),
        Int = random.Next(int.MinValue, int.MaxValue),
        UInt = (uint)random.NextInt64(uint.MaxValue),
        Long = random.NextInt64(long.MinValue, long.MaxValue),
        ULong = (ulong)random.NextInt64() * 2,
        Float = (float)(random.NextDouble() * 1e6),
        Double = (random.NextDouble() - 0.5) * 1e300,
        Decimal = new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29)),
        Char = (char)random.Next(0xD800),
        String = RandomString(random),
        Guid = new Guid(Bytes(random, 16)),
        DateTime = new DateTime(random.NextInt64(DateTime.MaxValue.Ticks), (DateTimeKind)random.Next(3)),
        DateTimeOffset = new DateTimeOffset(random.NextInt64(DateTime.MaxValue.Ticks / 2, DateTime.MaxValue.Ticks / 2 + 1000), TimeSpan.FromMinutes(random.Next(-600, 600))),
        TimeSpan = TimeSpan.FromTicks(random.NextInt64()),
        DateOnly = DateOnly.FromDayNumber(random.Next(DateOnly.MaxValue.DayNumber)),
        TimeOnly = new TimeOnly(random.NextInt64(TimeOnly.MaxValue.Ticks)),
        Bytes = random.Next(4) == 0 ? null : Bytes(random, random.Next(100)),
        Color = (Color)random.Next(8),
        NullableInt = random.Next(2) == 0 ? null : random.Next(),
        BigInteger = new System.Numerics.BigInteger(Bytes(random, random.Next(1, 40))),
    };

    internal static string? RandomString(Random random)
    {
        if (random.Next(8) == 0)
        {
            return null;
        }

        var chars = new char[random.Next(0, 60)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)random.Next(0x80, 0xD7FF) : (char)random.Next(0x20, 0x7F);
        }

        return new string(chars);
    }

    private static Address? RandomAddress(Random random) => random.Next(4) switch
    {
        0 => null,
        1 => new SpecialAddress { Street = RandomString(random)!, Number = random.Next(), Note = RandomString(random)! },
        _ => new Address { Street = RandomString(random)!, Number = random.Next() },
    };

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
