using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace OrleansCompute.Storage;

/// <summary>
/// Creates the value a grain sees when it has no stored state (and after its state is cleared).
/// Shared by every <see cref="IGrainStorage"/> provider so they all agree on it.
/// </summary>
/// <remarks>
/// Rules, in order: value types give <c>default</c>; <see cref="string"/> gives <see cref="string.Empty"/>;
/// one-dimensional arrays give an empty array; abstract types and interfaces give <c>null</c>;
/// classes with a parameterless constructor (public or not) are constructed with it; other classes
/// (for example positional records) get an instance with every field at its default value.
/// </remarks>
public static class GrainStateDefaults
{
    private static readonly ConcurrentDictionary<Type, Func<object?>> s_factories = new();

    /// <summary>A new default value for a state of type <typeparamref name="T"/>: a fresh instance for reference types.</summary>
    public static T Create<T>()
    {
        if (typeof(T).IsValueType)
        {
            return default!;
        }

        return (T)s_factories.GetOrAdd(typeof(T), static type => BuildFactory(type))()!;
    }

    /// <summary>Puts <paramref name="grainState"/> in the "no record" shape: default state, null ETag, no record.</summary>
    public static void Reset<T>(IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        grainState.State = Create<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static Func<object?> BuildFactory(Type type)
    {
        if (type == typeof(string))
        {
            return static () => string.Empty;
        }

        if (type.IsArray)
        {
            var elementType = type.GetElementType()!;
            return type.GetArrayRank() == 1 ? () => Array.CreateInstance(elementType, 0) : static () => null;
        }

        if (type.IsAbstract || type.IsInterface || type.ContainsGenericParameters)
        {
            return static () => null;
        }

        var constructor = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
        if (constructor is not null)
        {
            return () => Activator.CreateInstance(type, nonPublic: true);
        }

        // No parameterless constructor (e.g. `record Point(int X, int Y)`): an all-defaults instance,
        // which is what a serializer would produce for an empty document.
        return () => RuntimeHelpers.GetUninitializedObject(type);
    }
}
