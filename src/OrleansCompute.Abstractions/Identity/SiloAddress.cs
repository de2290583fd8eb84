using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace OrleansCompute.Runtime;

/// <summary>
/// A silo incarnation: its silo-to-silo endpoint plus a generation. A restarted silo on the same
/// endpoint gets a new generation and so is a new member (the old incarnation stays dead).
/// </summary>
public sealed class SiloAddress : IEquatable<SiloAddress>
{
    private static readonly DateTime s_epoch = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public SiloAddress(IPEndPoint endpoint, int generation)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        Generation = generation;
    }

    public IPEndPoint Endpoint { get; }

    public int Generation { get; }

    /// <summary>A generation for a silo starting now: seconds since 2024-01-01 UTC (grows across restarts).</summary>
    public static int NewGeneration() => (int)(DateTime.UtcNow - s_epoch).TotalSeconds;

    /// <summary><c>host:port@generation</c>, e.g. <c>127.0.0.1:11111@91234567</c>.</summary>
    public string ToParsableString() => string.Create(CultureInfo.InvariantCulture, $"{Endpoint}@{Generation}");

    public static SiloAddress FromParsableString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var at = value.LastIndexOf('@');
        if (at <= 0 || !IPEndPoint.TryParse(value.AsSpan(0, at), out var endpoint)
            || !int.TryParse(value.AsSpan(at + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var generation))
        {
            throw new FormatException($"'{value}' is not a silo address: expected 'ip:port@generation'.");
        }

        return new SiloAddress(endpoint, generation);
    }

    public bool Equals([NotNullWhen(true)] SiloAddress? other) =>
        other is not null && Generation == other.Generation && Endpoint.Equals(other.Endpoint);

    public override bool Equals(object? obj) => Equals(obj as SiloAddress);

    public override int GetHashCode() => HashCode.Combine(Endpoint, Generation);

    /// <summary>True when both are the same endpoint, whatever the generation.</summary>
    public bool IsSameEndpoint(SiloAddress other) => other is not null && Endpoint.Equals(other.Endpoint);

    public override string ToString() => ToParsableString();

    public static bool operator ==(SiloAddress? left, SiloAddress? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(SiloAddress? left, SiloAddress? right) => !(left == right);
}
