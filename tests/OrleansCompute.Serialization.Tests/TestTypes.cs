// Test contracts: member names mirror the types they exercise, fields are deliberate.
#pragma warning disable CA1720, CA1051

using System.Collections.Immutable;
using System.Numerics;

namespace OrleansCompute.Serialization.Tests;

public enum Color
{
    Red,
    Green,
    Blue = 7,
}

public enum SignedBytes : sbyte
{
    Minus = -5,
    Plus = 5,
}

[Flags]
public enum BigFlags : ulong
{
    None = 0,
    High = 1UL << 63,
    Low = 1,
}

[GenerateSerializer]
public sealed class Primitives
{
    [Id(0)] public bool Bool { get; set; }
    [Id(1)] public byte Byte { get; set; }
    [Id(2)] public sbyte SByte { get; set; }
    [Id(3)] public short Short { get; set; }
    [Id(4)] public ushort UShort { get; set; }
    [Id(5)] public int Int { get; set; }
    [Id(6)] public uint UInt { get; set; }
    [Id(7)] public long Long { get; set; }
    [Id(8)] public ulong ULong { get; set; }
    [Id(9)] public float Float { get; set; }
    [Id(10)] public double Double { get; set; }
    [Id(11)] public decimal Decimal { get; set; }
    [Id(12)] public char Char { get; set; }
    [Id(13)] public string? String { get; set; }
    [Id(14)] public Guid Guid { get; set; }
    [Id(15)] public DateTime DateTime { get; set; }
    [Id(16)] public DateTimeOffset DateTimeOffset { get; set; }
    [Id(17)] public TimeSpan TimeSpan { get; set; }
    [Id(18)] public DateOnly DateOnly { get; set; }
    [Id(19)] public TimeOnly TimeOnly { get; set; }
    [Id(20)] public byte[]? Bytes { get; set; }
    [Id(21)] public Uri? Uri { get; set; }
    [Id(22)] public Version? Version { get; set; }
    [Id(23)] public BigInteger BigInteger { get; set; }
    [Id(24)] public Color Color { get; set; }
    [Id(25)] public SignedBytes SignedBytes { get; set; }
    [Id(26)] public BigFlags BigFlags { get; set; }
    [Id(27)] public int? NullableInt { get; set; }
    [Id(28)] public Color? NullableColor { get; set; }
    [Id(29)] public ReadOnlyMemory<byte> Memory { get; set; }
}

[GenerateSerializer]
public sealed class Collections
{
    [Id(0)] public int[]? Array { get; set; }
    [Id(1)] public List<string>? List { get; set; }
    [Id(2)] public IList<int>? IList { get; set; }
    [Id(3)] public IReadOnlyList<int>? IReadOnlyList { get; set; }
    [Id(4)] public ICollection<int>? ICollection { get; set; }
    [Id(5)] public IEnumerable<int>? IEnumerable { get; set; }
    [Id(6)] public HashSet<string>? HashSet { get; set; }
    [Id(7)] public Dictionary<string, int>? Dictionary { get; set; }
    [Id(8)] public IDictionary<int, string>? IDictionary { get; set; }
    [Id(9)] public IReadOnlyDictionary<string, List<int>>? IReadOnlyDictionary { get; set; }
    [Id(10)] public SortedDictionary<int, string>? SortedDictionary { get; set; }
    [Id(11)] public KeyValuePair<string, int> Pair { get; set; }
    [Id(12)] public (int, string) ValueTuple { get; set; }
    [Id(13)] public Tuple<int, string, bool>? Tuple { get; set; }
    [Id(14)] public ImmutableArray<int> Immutable { get; set; }
    [Id(15)] public List<Address>? Addresses { get; set; }
    [Id(16)] public string?[]? NullableStrings { get; set; }
    [Id(17)] public (int, string, double, bool) Quad { get; set; }
}

[GenerateSerializer]
public class Address
{
    [Id(0)] public string Street { get; set; } = string.Empty;
    [Id(1)] public int Number { get; set; }
}

[GenerateSerializer]
[Alias("test.special-address")]
public sealed class SpecialAddress : Address
{
    [Id(0)] public string Note { get; set; } = string.Empty;
}

[GenerateSerializer]
public class UnaliasedAddress : Address
{
    [Id(0)] public int Floor { get; set; }
}

[GenerateSerializer]
public sealed class Person
{
    [Id(0)] public string Name { get; set; } = string.Empty;
    [Id(1)] public Address? Home { get; set; }
    [Id(2)] public Address? Work { get; set; }
    [Id(3)] public object? Anything { get; set; }
    [Id(4)] public IShape? Shape { get; set; }
    [Id(5)] public Animal? Pet { get; set; }
}

public interface IShape
{
    double Area { get; }
}

[GenerateSerializer]
public sealed record Circle([property: Id(0)] double Radius) : IShape
{
    public double Area => Math.PI * Radius * Radius;
}

[GenerateSerializer]
public readonly record struct Square([property: Id(0)] double Side) : IShape
{
    public double Area => Side * Side;
}

[GenerateSerializer]
public abstract class Animal
{
    [Id(0)] public string Name { get; set; } = string.Empty;
}

[GenerateSerializer]
public sealed class Dog : Animal
{
    [Id(0)] public bool GoodBoy { get; set; }
}

[GenerateSerializer]
public sealed record PositionalRecord([Id(0)] string Name, [Id(1)] int Age, [Id(2)] List<string>? Tags)
{
    [Id(3)] public string? Extra { get; init; }
}

[GenerateSerializer]
public sealed record DefaultedRecord([property: Id(0)] string Name, [property: Id(1)] int Count = 42);

[GenerateSerializer]
public record struct PointRecord([property: Id(0)] int X, [property: Id(1)] int Y);

[GenerateSerializer]
public struct MutableStruct
{
    [Id(0)] public int A;
    [Id(1)] public string? B;
    [Id(2)] private long _hidden;

    public long Hidden
    {
        readonly get => _hidden;
        set => _hidden = value;
    }
}

[GenerateSerializer]
public sealed class Box<T>
{
    [Id(0)] public T? Value { get; set; }
    [Id(1)] public List<T>? Items { get; set; }
}

[GenerateSerializer]
public sealed class Pair<TKey, TValue>
    where TKey : notnull
{
    [Id(0)] public TKey Key { get; set; } = default!;
    [Id(1)] public Dictionary<TKey, TValue>? Map { get; set; }
}

[GenerateSerializer]
public sealed class Encapsulated
{
    [Id(0)] private int _secret;
    [Id(1)] private readonly string _readOnly;
    [Id(2)] public string GetOnly { get; }
    [Id(3)] public int PrivateSetter { get; private set; }
    [Id(4)] public string InitOnly { get; init; } = "init-default";
    [Id(5)] private double PrivateProperty { get; set; }

    public Encapsulated()
        : this(0, "ctor-default", "get-only-default", 0, 0)
    {
    }

    public Encapsulated(int secret, string readOnly, string getOnly, int privateSetter, double privateProperty)
    {
        _secret = secret;
        _readOnly = readOnly;
        GetOnly = getOnly;
        PrivateSetter = privateSetter;
        PrivateProperty = privateProperty;
    }

    public int Secret => _secret;

    public string ReadOnly => _readOnly;

    public double Private => PrivateProperty;
}

[GenerateSerializer]
public sealed class PrivateCtor
{
    private PrivateCtor()
    {
    }

    [Id(0)] public int Value { get; set; }

    public static PrivateCtor Create(int value) => new() { Value = value };
}

[GenerateSerializer]
internal sealed class InternalType
{
    [Id(0)] internal int Value { get; set; }
}

public static class Outer
{
    [GenerateSerializer]
    public sealed class Nested
    {
        [Id(0)] public string? Text { get; set; }
    }
}

[GenerateSerializer]
public sealed class TreeNode
{
    [Id(0)] public int Value { get; set; }
    [Id(1)] public TreeNode? Left { get; set; }
    [Id(2)] public TreeNode? Right { get; set; }
}

[GenerateSerializer]
public sealed class WithException
{
    [Id(0)] public Exception? Error { get; set; }
    [Id(1)] public InvalidOperationException? Specific { get; set; }
}

public sealed class NotSerializable
{
    public int Value { get; set; }
}

public sealed class ExceptionWithoutMessageCtor : Exception
{
    public ExceptionWithoutMessageCtor(int code)
        : base($"code {code}")
    {
    }
}

// ---- version tolerance: V1 and V2 of the same contract ----

[GenerateSerializer]
public sealed class OrderV1
{
    [Id(0)] public string Id { get; set; } = string.Empty;
    [Id(1)] public decimal Total { get; set; }
    [Id(2)] public string Currency { get; set; } = "EUR";
}

[GenerateSerializer]
public sealed class OrderV2
{
    [Id(0)] public string Id { get; set; } = string.Empty;
    [Id(1)] public decimal Total { get; set; }
    [Id(2)] public string Currency { get; set; } = "EUR";
    [Id(3)] public Address? ShipTo { get; set; }
    [Id(4)] public List<OrderLine> Lines { get; set; } = [];
    [Id(5)] public int Priority { get; set; } = 3;
    [Id(6)] public Dictionary<string, Address>? Extra { get; set; }
    [Id(7)] public object? Tagged { get; set; }
}

[GenerateSerializer]
public sealed class OrderLine
{
    [Id(0)] public string Sku { get; set; } = string.Empty;
    [Id(1)] public int Quantity { get; set; }
}

[GenerateSerializer]
public sealed class Holder<T>
{
    [Id(0)] public T Item { get; set; } = default!;
}

[GenerateSerializer]
public sealed class GenericEncapsulated<T>
{
    [Id(0)] private T _value = default!;
    [Id(1)] public List<T> InitOnly { get; init; } = [];
    [Id(2)] public string Label { get; private set; } = string.Empty;

    public T Value => _value;

    public static GenericEncapsulated<T> Create(T value, List<T> items, string label) => new() { _value = value, InitOnly = items, Label = label };
}

[GenerateSerializer]
public struct GenericStruct<T>
{
    [Id(0)] private T _item;

    public GenericStruct(T item) => _item = item;

    public readonly T Item => _item;
}

[GenerateSerializer]
public abstract record Shape([property: Id(0)] string Label);

[GenerateSerializer]
public sealed record Rectangle(string Label, [property: Id(0)] double Width, [property: Id(1)] double Height) : Shape(Label);
