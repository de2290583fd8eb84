using System.Diagnostics.CodeAnalysis;

namespace OrleansCompute.Runtime;

/// <summary>
/// The identity of a grain: its grain type (the implementation's type name, e.g. <c>counter</c>)
/// and its key rendered as a string (see <see cref="GrainKeyFormat"/>). Equality is ordinal.
/// </summary>
public readonly struct GrainId : IEquatable<GrainId>
{
    private readonly int _hash;

    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        Type = type;
        Key = key;
        _hash = HashCode.Combine(StringComparer.Ordinal.GetHashCode(type), StringComparer.Ordinal.GetHashCode(key));
    }

    /// <summary>The grain type name (not the CLR type name).</summary>
    public string Type { get; }

    /// <summary>The key, formatted by <see cref="GrainKeyFormat"/>.</summary>
    public string Key { get; }

    /// <summary>True for <c>default(GrainId)</c>.</summary>
    public bool IsDefault => Type is null;

    /// <summary>A hash that is stable across processes (unlike <see cref="GetHashCode"/>), for placement and sharding.</summary>
    public uint GetUniformHashCode() => StableHash.Fnv1a(Type, Key);

    public bool Equals(GrainId other) => _hash == other._hash && string.Equals(Type, other.Type, StringComparison.Ordinal)
        && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is GrainId other && Equals(other);

    public override int GetHashCode() => _hash;

    /// <summary><c>type/key</c>; parse back with <see cref="Parse"/>.</summary>
    public override string ToString() => IsDefault ? "(default)" : $"{Type}/{Key}";

    /// <summary>Parses the output of <see cref="ToString"/>.</summary>
    public static GrainId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new FormatException($"'{value}' is not a grain id: expected 'type/key'.");
        }

        return new GrainId(value[..slash], value[(slash + 1)..]);
    }

    public static bool operator ==(GrainId left, GrainId right) => left.Equals(right);

    public static bool operator !=(GrainId left, GrainId right) => !left.Equals(right);
}
