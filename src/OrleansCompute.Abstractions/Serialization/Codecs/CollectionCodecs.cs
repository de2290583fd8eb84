using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace OrleansCompute.Serialization.Codecs;

// Collections are objects: field 0 = element count (a capacity hint), then every element as field 1.
// Dictionaries: field 0 = count, then key (field 1) and value (field 2) alternately.

internal static class CollectionFormat
{
    public const uint CountId = 0;
    public const uint ItemId = 1;
    public const uint ValueId = 2;

    /// <summary>A count from the input, capped so corrupt input cannot make us allocate more than its own size.</summary>
    public static int CapacityHint(ref Reader reader, Field field)
    {
        var count = reader.ReadUInt32(field);
        return (int)Math.Min(count, (uint)reader.Remaining);
    }

    public static SerializerException Corrupt(string what) => new($"Corrupt input: {what}.");
}

internal sealed class ArrayCodec<T> : IFieldCodec<T[]>
{
    public void WriteField(ref Writer writer, uint fieldId, T[] value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        var codec = Codec<T>.Instance;
        writer.WriteStartObject(fieldId);
        writer.WriteUInt32(CollectionFormat.CountId, (uint)value.Length);
        foreach (var item in value)
        {
            codec.WriteField(ref writer, CollectionFormat.ItemId, item);
        }

        writer.WriteEndObject();
    }

    public T[] ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return null!;
        }

        reader.EnterObject(field);
        var codec = Codec<T>.Instance;
        T[]? result = null;
        var index = 0;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case CollectionFormat.CountId:
                    var count = reader.ReadUInt32(f);
                    if (count > (uint)reader.Remaining)
                    {
                        throw CollectionFormat.Corrupt($"an array of {count} elements in {reader.Remaining} bytes");
                    }

                    result = count == 0 ? [] : new T[count];
                    break;
                case CollectionFormat.ItemId:
                    if (result is null || index >= result.Length)
                    {
                        throw CollectionFormat.Corrupt("more array elements than its count");
                    }

                    result[index++] = codec.ReadValue(ref reader, f);
                    break;
                default:
                    reader.SkipField(f);
                    break;
            }
        }

        if (result is null || index != result.Length)
        {
            throw CollectionFormat.Corrupt("fewer array elements than its count");
        }

        return result;
    }
}

/// <summary>Shared logic for list-like collections; <typeparamref name="TBuilder"/> is filled while reading.</summary>
internal abstract class SequenceCodec<TCollection, T, TBuilder> : IFieldCodec<TCollection>
    where TCollection : IEnumerable<T>
    where TBuilder : ICollection<T>
{
    public void WriteField(ref Writer writer, uint fieldId, TCollection value)
    {
        if (IsNull(value))
        {
            writer.WriteNull(fieldId);
            return;
        }

        var codec = Codec<T>.Instance;
        writer.WriteStartObject(fieldId);
        switch (value)
        {
            case List<T> list:
                writer.WriteUInt32(CollectionFormat.CountId, (uint)list.Count);
                foreach (var item in CollectionsMarshal.AsSpan(list))
                {
                    codec.WriteField(ref writer, CollectionFormat.ItemId, item);
                }

                break;
            case T[] array:
                writer.WriteUInt32(CollectionFormat.CountId, (uint)array.Length);
                foreach (var item in array)
                {
                    codec.WriteField(ref writer, CollectionFormat.ItemId, item);
                }

                break;
            case HashSet<T> set:
                writer.WriteUInt32(CollectionFormat.CountId, (uint)set.Count);
                foreach (var item in set)
                {
                    codec.WriteField(ref writer, CollectionFormat.ItemId, item);
                }

                break;
            default:
                WriteEnumerable(ref writer, codec, value);
                break;
        }

        writer.WriteEndObject();
    }

    public TCollection ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return default!;
        }

        reader.EnterObject(field);
        var codec = Codec<T>.Instance;
        var builder = default(TBuilder);
        var hasBuilder = false;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case CollectionFormat.CountId when !hasBuilder:
                    builder = Create(CollectionFormat.CapacityHint(ref reader, f));
                    hasBuilder = true;
                    break;
                case CollectionFormat.ItemId:
                    if (!hasBuilder)
                    {
                        builder = Create(0);
                        hasBuilder = true;
                    }

                    builder!.Add(codec.ReadValue(ref reader, f));
                    break;
                default:
                    reader.SkipField(f);
                    break;
            }
        }

        return Complete(hasBuilder ? builder! : Create(0));
    }

    protected virtual bool IsNull(TCollection value) => value is null;

    protected abstract TBuilder Create(int capacity);

    protected abstract TCollection Complete(TBuilder builder);

    private static void WriteEnumerable(ref Writer writer, IFieldCodec<T> codec, TCollection value)
    {
        int count;
        if (value is ICollection<T> collection)
        {
            count = collection.Count;
        }
        else if (value is IReadOnlyCollection<T> readOnly)
        {
            count = readOnly.Count;
        }
        else
        {
            var list = new List<T>(value);
            writer.WriteUInt32(CollectionFormat.CountId, (uint)list.Count);
            foreach (var item in CollectionsMarshal.AsSpan(list))
            {
                codec.WriteField(ref writer, CollectionFormat.ItemId, item);
            }

            return;
        }

        writer.WriteUInt32(CollectionFormat.CountId, (uint)count);
        foreach (var item in value)
        {
            codec.WriteField(ref writer, CollectionFormat.ItemId, item);
        }
    }
}

/// <summary>Base for collections read back as <see cref="List{T}"/>.</summary>
internal abstract class ListBackedCodec<TCollection, T> : SequenceCodec<TCollection, T, List<T>>
    where TCollection : IEnumerable<T>
{
    protected override List<T> Create(int capacity) => new(capacity);

    protected override TCollection Complete(List<T> builder) => (TCollection)(object)builder;
}

internal sealed class ListCodec<T> : ListBackedCodec<List<T>, T>;

internal sealed class IListCodec<T> : ListBackedCodec<IList<T>, T>;

internal sealed class IReadOnlyListCodec<T> : ListBackedCodec<IReadOnlyList<T>, T>;

internal sealed class ICollectionCodec<T> : ListBackedCodec<ICollection<T>, T>;

internal sealed class IReadOnlyCollectionCodec<T> : ListBackedCodec<IReadOnlyCollection<T>, T>;

internal sealed class IEnumerableCodec<T> : ListBackedCodec<IEnumerable<T>, T>;

/// <summary>Base for sets read back as <see cref="HashSet{T}"/> (with the default comparer).</summary>
internal abstract class HashSetBackedCodec<TCollection, T> : SequenceCodec<TCollection, T, HashSet<T>>
    where TCollection : IEnumerable<T>
{
    protected override HashSet<T> Create(int capacity) => new(capacity);

    protected override TCollection Complete(HashSet<T> builder) => (TCollection)(object)builder;
}

internal sealed class HashSetCodec<T> : HashSetBackedCodec<HashSet<T>, T>;

internal sealed class ISetCodec<T> : HashSetBackedCodec<ISet<T>, T>;

internal sealed class IReadOnlySetCodec<T> : HashSetBackedCodec<IReadOnlySet<T>, T>;

internal sealed class ImmutableArrayCodec<T> : SequenceCodec<ImmutableArray<T>, T, ImmutableArray<T>.Builder>
{
    protected override bool IsNull(ImmutableArray<T> value) => value.IsDefault;

    protected override ImmutableArray<T>.Builder Create(int capacity) => ImmutableArray.CreateBuilder<T>(capacity);

    protected override ImmutableArray<T> Complete(ImmutableArray<T>.Builder builder) =>
        builder.Count == builder.Capacity ? builder.MoveToImmutable() : builder.ToImmutable();
}

/// <summary>Shared logic for dictionaries; <typeparamref name="TBuilder"/> is filled while reading.</summary>
internal abstract class MapCodec<TMap, TKey, TValue, TBuilder> : IFieldCodec<TMap>
    where TMap : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
    where TBuilder : IDictionary<TKey, TValue>
{
    public void WriteField(ref Writer writer, uint fieldId, TMap value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        var keyCodec = Codec<TKey>.Instance;
        var valueCodec = Codec<TValue>.Instance;
        writer.WriteStartObject(fieldId);
        if (value is Dictionary<TKey, TValue> dictionary)
        {
            writer.WriteUInt32(CollectionFormat.CountId, (uint)dictionary.Count);
            foreach (var pair in dictionary)
            {
                keyCodec.WriteField(ref writer, CollectionFormat.ItemId, pair.Key);
                valueCodec.WriteField(ref writer, CollectionFormat.ValueId, pair.Value);
            }
        }
        else
        {
            var count = value is ICollection<KeyValuePair<TKey, TValue>> collection ? collection.Count
                : value is IReadOnlyCollection<KeyValuePair<TKey, TValue>> readOnly ? readOnly.Count
                : -1;
            if (count >= 0)
            {
                writer.WriteUInt32(CollectionFormat.CountId, (uint)count);
            }

            foreach (var pair in value)
            {
                keyCodec.WriteField(ref writer, CollectionFormat.ItemId, pair.Key);
                valueCodec.WriteField(ref writer, CollectionFormat.ValueId, pair.Value);
            }
        }

        writer.WriteEndObject();
    }

    public TMap ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return default!;
        }

        reader.EnterObject(field);
        var keyCodec = Codec<TKey>.Instance;
        var valueCodec = Codec<TValue>.Instance;
        TBuilder? builder = default;
        TKey key = default!;
        var hasKey = false;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case CollectionFormat.CountId when builder is null:
                    builder = Create(CollectionFormat.CapacityHint(ref reader, f));
                    break;
                case CollectionFormat.ItemId:
                    if (hasKey)
                    {
                        throw CollectionFormat.Corrupt("a dictionary key without a value");
                    }

                    key = keyCodec.ReadValue(ref reader, f);
                    hasKey = true;
                    break;
                case CollectionFormat.ValueId:
                    if (!hasKey || key is null)
                    {
                        throw CollectionFormat.Corrupt("a dictionary value without a key");
                    }

                    builder ??= Create(0);
                    builder[key] = valueCodec.ReadValue(ref reader, f);
                    hasKey = false;
                    break;
                default:
                    reader.SkipField(f);
                    break;
            }
        }

        if (hasKey)
        {
            throw CollectionFormat.Corrupt("a dictionary key without a value");
        }

        return Complete(builder ?? Create(0));
    }

    protected abstract TBuilder Create(int capacity);

    protected virtual TMap Complete(TBuilder builder) => (TMap)(object)builder;
}

internal abstract class DictionaryBackedCodec<TMap, TKey, TValue> : MapCodec<TMap, TKey, TValue, Dictionary<TKey, TValue>>
    where TMap : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    protected override Dictionary<TKey, TValue> Create(int capacity) => new(capacity);
}

internal sealed class DictionaryCodec<TKey, TValue> : DictionaryBackedCodec<Dictionary<TKey, TValue>, TKey, TValue>
    where TKey : notnull;

internal sealed class IDictionaryCodec<TKey, TValue> : DictionaryBackedCodec<IDictionary<TKey, TValue>, TKey, TValue>
    where TKey : notnull;

internal sealed class IReadOnlyDictionaryCodec<TKey, TValue> : DictionaryBackedCodec<IReadOnlyDictionary<TKey, TValue>, TKey, TValue>
    where TKey : notnull;

internal sealed class SortedDictionaryCodec<TKey, TValue> : MapCodec<SortedDictionary<TKey, TValue>, TKey, TValue, SortedDictionary<TKey, TValue>>
    where TKey : notnull
{
    protected override SortedDictionary<TKey, TValue> Create(int capacity) => [];
}
