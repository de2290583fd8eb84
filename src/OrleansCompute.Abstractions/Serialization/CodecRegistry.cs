using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using OrleansCompute.Serialization.Codecs;

namespace OrleansCompute.Serialization;

/// <summary>
/// Where codecs come from. Generated code registers codecs and aliases from module initializers;
/// <see cref="Codec{T}"/> asks <see cref="CreateCodec"/> once per type. Resolution order: registered
/// codec, built-in codec, registered open generic codec, enum, Nullable, array, exception,
/// polymorphic (interface, abstract class, object).
/// </summary>
public static class CodecRegistry
{
    /// <summary>Field id under which a derived class nests the members of its <c>[GenerateSerializer]</c> base class.</summary>
    public const uint BaseMembersFieldId = uint.MaxValue;

    private static readonly ConcurrentDictionary<Type, object> s_codecs = new();
    private static readonly ConcurrentDictionary<Type, Type> s_genericCodecs = new();
    private static readonly ConcurrentDictionary<Assembly, bool> s_initializedAssemblies = new();
    private static readonly Dictionary<Type, object> s_builtIns = CreateBuiltIns();

    static CodecRegistry()
    {
        RegisterBuiltInGenerics();
    }

    /// <summary>Registers the codec for <typeparamref name="T"/> (generated code calls this from a module initializer).</summary>
    public static void Register<T>(IFieldCodec<T> codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        s_codecs[typeof(T)] = codec;
    }

    /// <summary>
    /// Registers a codec for every closed form of <paramref name="openType"/>: <paramref name="openCodecType"/>
    /// is closed over the same type arguments and created once per closed type.
    /// </summary>
    public static void RegisterGeneric(Type openType, Type openCodecType)
    {
        ArgumentNullException.ThrowIfNull(openType);
        ArgumentNullException.ThrowIfNull(openCodecType);
        if (!openType.IsGenericTypeDefinition || !openCodecType.IsGenericTypeDefinition)
        {
            throw new ArgumentException("Both types must be open generic type definitions.", nameof(openType));
        }

        s_genericCodecs[openType] = openCodecType;
    }

    /// <summary>Registers the stable wire name of <paramref name="type"/> (from <c>[Alias]</c>) for polymorphic values.</summary>
    public static void RegisterAlias(Type type, string alias) => TypeNames.RegisterAlias(type, alias);

    /// <summary>Creates the codec for <paramref name="type"/>; <see cref="Codec{T}.Instance"/> caches it.</summary>
    public static object CreateCodec(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        EnsureRegistered(type.Assembly);
        return TryCreateCodec(type) ?? throw new CodecNotFoundException(type);
    }

    /// <summary>Runs the module initializer of <paramref name="assembly"/> (where generated code registers codecs).</summary>
    public static void EnsureRegistered(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (s_initializedAssemblies.TryAdd(assembly, true))
        {
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
    }

    private static object? TryCreateCodec(Type type)
    {
        if (s_codecs.TryGetValue(type, out var codec) || s_builtIns.TryGetValue(type, out codec))
        {
            return codec;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            var definition = type.GetGenericTypeDefinition();
            if (s_genericCodecs.TryGetValue(definition, out var openCodec))
            {
                return Create(openCodec, type.GetGenericArguments());
            }

            if (definition == typeof(Nullable<>))
            {
                return Create(typeof(NullableCodec<>), type.GetGenericArguments());
            }
        }

        if (type.IsEnum)
        {
            return Create(typeof(EnumCodec<>), type);
        }

        if (type.IsSZArray)
        {
            return Create(typeof(ArrayCodec<>), type.GetElementType()!);
        }

        if (typeof(Exception).IsAssignableFrom(type))
        {
            return Create(typeof(ExceptionCodec<>), type);
        }

        if (type == typeof(object) || ((type.IsInterface || type.IsAbstract) && !type.IsArray && !type.IsPointer && !type.IsByRef))
        {
            return Create(typeof(PolymorphicCodec<>), type);
        }

        return null;
    }

    private static object Create(Type openCodec, params Type[] arguments) =>
        Activator.CreateInstance(openCodec.MakeGenericType(arguments))!;

    private static void RegisterBuiltInGenerics()
    {
        s_genericCodecs[typeof(List<>)] = typeof(ListCodec<>);
        s_genericCodecs[typeof(IList<>)] = typeof(IListCodec<>);
        s_genericCodecs[typeof(IReadOnlyList<>)] = typeof(IReadOnlyListCodec<>);
        s_genericCodecs[typeof(ICollection<>)] = typeof(ICollectionCodec<>);
        s_genericCodecs[typeof(IReadOnlyCollection<>)] = typeof(IReadOnlyCollectionCodec<>);
        s_genericCodecs[typeof(IEnumerable<>)] = typeof(IEnumerableCodec<>);
        s_genericCodecs[typeof(HashSet<>)] = typeof(HashSetCodec<>);
        s_genericCodecs[typeof(ISet<>)] = typeof(ISetCodec<>);
        s_genericCodecs[typeof(IReadOnlySet<>)] = typeof(IReadOnlySetCodec<>);
        s_genericCodecs[typeof(ImmutableArray<>)] = typeof(ImmutableArrayCodec<>);
        s_genericCodecs[typeof(Dictionary<,>)] = typeof(DictionaryCodec<,>);
        s_genericCodecs[typeof(IDictionary<,>)] = typeof(IDictionaryCodec<,>);
        s_genericCodecs[typeof(IReadOnlyDictionary<,>)] = typeof(IReadOnlyDictionaryCodec<,>);
        s_genericCodecs[typeof(SortedDictionary<,>)] = typeof(SortedDictionaryCodec<,>);
        s_genericCodecs[typeof(KeyValuePair<,>)] = typeof(KeyValuePairCodec<,>);
        s_genericCodecs[typeof(ValueTuple<,>)] = typeof(ValueTupleCodec<,>);
        s_genericCodecs[typeof(ValueTuple<,,>)] = typeof(ValueTupleCodec<,,>);
        s_genericCodecs[typeof(ValueTuple<,,,>)] = typeof(ValueTupleCodec<,,,>);
        s_genericCodecs[typeof(Tuple<,>)] = typeof(TupleCodec<,>);
        s_genericCodecs[typeof(Tuple<,,>)] = typeof(TupleCodec<,,>);
        s_genericCodecs[typeof(Tuple<,,,>)] = typeof(TupleCodec<,,,>);
    }

    private static Dictionary<Type, object> CreateBuiltIns() => new()
    {
        [typeof(bool)] = new BooleanCodec(),
        [typeof(byte)] = new ByteCodec(),
        [typeof(sbyte)] = new SByteCodec(),
        [typeof(short)] = new Int16Codec(),
        [typeof(ushort)] = new UInt16Codec(),
        [typeof(int)] = new Int32Codec(),
        [typeof(uint)] = new UInt32Codec(),
        [typeof(long)] = new Int64Codec(),
        [typeof(ulong)] = new UInt64Codec(),
        [typeof(char)] = new CharCodec(),
        [typeof(float)] = new SingleCodec(),
        [typeof(double)] = new DoubleCodec(),
        [typeof(decimal)] = new DecimalCodec(),
        [typeof(string)] = new StringCodec(),
        [typeof(Guid)] = new GuidCodec(),
        [typeof(DateTime)] = new DateTimeCodec(),
        [typeof(DateTimeOffset)] = new DateTimeOffsetCodec(),
        [typeof(TimeSpan)] = new TimeSpanCodec(),
        [typeof(DateOnly)] = new DateOnlyCodec(),
        [typeof(TimeOnly)] = new TimeOnlyCodec(),
        [typeof(byte[])] = new ByteArrayCodec(),
        [typeof(ReadOnlyMemory<byte>)] = new ReadOnlyMemoryCodec(),
        [typeof(Memory<byte>)] = new MemoryCodec(),
        [typeof(Uri)] = new UriCodec(),
        [typeof(Version)] = new VersionCodec(),
        [typeof(BigInteger)] = new BigIntegerCodec(),
    };
}
