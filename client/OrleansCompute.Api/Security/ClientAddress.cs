using System.Net;

namespace OrleansCompute.Api.Security;

/// <summary>
/// Who a request comes from, for rate limits when it has no validated key: the remote IPv4 address, or the /64 prefix of an
/// IPv6 address (one host usually owns a whole /64, so counting single IPv6 addresses would let it rotate through 2^64 of
/// them). IPv4 addresses mapped into IPv6 (a dual-stack listener) count as IPv4. A value type: no allocation per request.
/// </summary>
internal readonly record struct ClientAddress(UInt128 Value)
{
    private const byte IPv4Tag = 4;
    private const byte IPv6Tag = 6;

    public static ClientAddress Of(IPAddress? address)
    {
        if (address is null)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return default;
        }

        if (written == 4)
        {
            return IPv4(bytes[..4]);
        }

        var mapped = bytes[..10].IndexOfAnyExcept((byte)0) < 0 && bytes[10] == 0xFF && bytes[11] == 0xFF;
        if (mapped)
        {
            return IPv4(bytes[12..16]);
        }

        var prefix = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[..8]);
        return new(((UInt128)prefix << 64) | IPv6Tag);
    }

    private static ClientAddress IPv4(ReadOnlySpan<byte> bytes) =>
        new(((UInt128)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) << 8) | IPv4Tag);
}

/// <summary>A rate-limit bucket: a configured key (1-based <see cref="Key"/>) or, without a validated key, an address.</summary>
internal readonly record struct ClientPartition(int Key, ClientAddress Address);
