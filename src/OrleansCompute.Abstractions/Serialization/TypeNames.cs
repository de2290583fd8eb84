using System.Collections.Concurrent;
using System.Text;

namespace OrleansCompute.Serialization;

/// <summary>
/// Wire names of types for polymorphic values and exceptions: the <c>[Alias]</c> when registered,
/// otherwise the full name with the (version-less) assembly name, e.g. <c>Ns.Box`1[[System.Int32, System.Private.CoreLib]], MyAssembly</c>.
/// </summary>
public static class TypeNames
{
    private static readonly ConcurrentDictionary<Type, string> s_names = new();
    private static readonly ConcurrentDictionary<string, Type> s_types = new(StringComparer.Ordinal);

    internal static void RegisterAlias(Type type, string alias)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrEmpty(alias);
        s_names[type] = alias;
        s_types[alias] = type;
    }

    /// <summary>The wire name of <paramref name="type"/>.</summary>
    public static string GetName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return s_names.GetOrAdd(type, static t =>
        {
            var name = Format(t);
            s_types.TryAdd(name, t);
            return name;
        });
    }

    /// <summary>The type named by <paramref name="name"/>, or null when it cannot be loaded.</summary>
    public static Type? Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (s_types.TryGetValue(name, out var type))
        {
            return type;
        }

        try
        {
            type = Type.GetType(name, throwOnError: false);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or TypeLoadException)
        {
            type = null;
        }

        if (type is not null)
        {
            CodecRegistry.EnsureRegistered(type.Assembly);
            s_types.TryAdd(name, type);
        }

        return type;
    }

    private static string Format(Type type)
    {
        var builder = new StringBuilder();
        Append(builder, type, includeAssembly: true);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, Type type, bool includeAssembly)
    {
        var assemblyType = type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            builder.Append(type.GetGenericTypeDefinition().FullName);
            builder.Append('[');
            var arguments = type.GetGenericArguments();
            for (var i = 0; i < arguments.Length; i++)
            {
                builder.Append(i == 0 ? "[" : ",[");
                Append(builder, arguments[i], includeAssembly: true);
                builder.Append(']');
            }

            builder.Append(']');
        }
        else if (type.IsArray)
        {
            assemblyType = type.GetElementType()!;
            Append(builder, assemblyType, includeAssembly: false);
            builder.Append(type.IsSZArray ? "[]" : $"[{new string(',', type.GetArrayRank() - 1)}]");
        }
        else
        {
            builder.Append(type.FullName);
        }

        if (includeAssembly)
        {
            while (assemblyType.IsArray)
            {
                assemblyType = assemblyType.GetElementType()!;
            }

            builder.Append(", ").Append(assemblyType.Assembly.GetName().Name);
        }
    }
}
