using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;

namespace OrleansCompute.Messaging.Transport;

/// <summary>
/// Mutual authentication when a connection opens. Each side sends a hello (protocol magic, cluster id,
/// its identity, a fresh random nonce); if the cluster ids differ the connection is refused. Each side
/// then proves it knows the shared cluster secret with an HMAC-SHA256 over both identities and both
/// nonces — so a proof is bound to this connection and cannot be replayed — and checks the other's.
/// The secret itself never crosses the wire. A refusal tells the peer why before closing.
/// </summary>
internal static class Handshake
{
    private const uint Magic = 0x3158434F; // "OCX1"
    private const byte HelloKind = 1;
    private const byte ProofKind = 2;
    private const byte RefuseKind = 3;
    private const int NonceSize = 32;

    public sealed record PeerHello(PeerKind Kind, string ClusterId, string Identity, byte[] Nonce);

    public static async Task<PeerHello> RunAsync(PipeReader reader, PipeWriter writer, PeerKind myKind, string clusterId, string myIdentity,
        byte[] secret, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var myNonce = RandomNumberGenerator.GetBytes(NonceSize);
        await WriteAsync(writer, HelloKind, w =>
        {
            WriteUInt32(w, Magic);
            w.GetSpan(1)[0] = (byte)myKind;
            w.Advance(1);
            WriteString(w, clusterId);
            WriteString(w, myIdentity);
            w.Write(myNonce);
        }, cts.Token).ConfigureAwait(false);

        var hello = await ReadAsync(reader, static (kind, body) =>
        {
            var r = new SpanReader(body);
            if (kind != HelloKind || r.ReadUInt32() != Magic)
            {
                throw new HandshakeException("the peer does not speak the OrleansCompute protocol");
            }

            var peerKind = (PeerKind)r.ReadByte();
            return new PeerHello(peerKind, r.ReadString(), r.ReadString(), r.ReadBytes(NonceSize).ToArray());
        }, cts.Token).ConfigureAwait(false);

        if (!string.Equals(hello.ClusterId, clusterId, StringComparison.Ordinal))
        {
            var reason = $"cluster id mismatch: this side is '{clusterId}', the peer '{hello.Identity}' is '{hello.ClusterId}'";
            await RefuseAsync(writer, reason, cts.Token).ConfigureAwait(false);
            throw new HandshakeException(reason);
        }

        var myProof = Proof(secret, clusterId, myIdentity, hello.Identity, myNonce, hello.Nonce);
        await WriteAsync(writer, ProofKind, w => w.Write(myProof), cts.Token).ConfigureAwait(false);
        var peerProof = await ReadAsync(reader, static (kind, body) =>
            kind == ProofKind ? body.ToArray() : throw new HandshakeException("the peer sent no proof"), cts.Token).ConfigureAwait(false);
        var expected = Proof(secret, clusterId, hello.Identity, myIdentity, hello.Nonce, myNonce);
        if (!CryptographicOperations.FixedTimeEquals(peerProof, expected))
        {
            var reason = $"authentication failed: peer '{hello.Identity}' does not know the cluster secret";
            await RefuseAsync(writer, reason, cts.Token).ConfigureAwait(false);
            throw new HandshakeException(reason);
        }

        return hello;
    }

    private static byte[] Proof(byte[] secret, string clusterId, string prover, string verifier, byte[] proverNonce, byte[] verifierNonce)
    {
        var text = Encoding.UTF8.GetBytes($"ocx-proof-v1\n{clusterId}\n{prover}\n{verifier}\n");
        var data = new byte[text.Length + proverNonce.Length + verifierNonce.Length];
        text.CopyTo(data, 0);
        proverNonce.CopyTo(data, text.Length);
        verifierNonce.CopyTo(data, text.Length + proverNonce.Length);
        return HMACSHA256.HashData(secret, data);
    }

    private static async Task RefuseAsync(PipeWriter writer, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(writer, RefuseKind, w => WriteString(w, reason), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The peer may already be gone; the refusal is best effort.
        }
    }

    private static async ValueTask WriteAsync(PipeWriter writer, byte kind, Action<ArrayBufferWriter<byte>> body, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        buffer.GetSpan(1)[0] = kind;
        buffer.Advance(1);
        body(buffer);
        FrameFormat.WriteFrame(writer, buffer.WrittenSpan);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<T> ReadAsync<T>(PipeReader reader, Func<byte, ReadOnlySpan<byte>, T> parse, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (FrameFormat.TryReadFrame(ref buffer, 64 * 1024, out var frame))
            {
                var bytes = frame.ToArray();
                reader.AdvanceTo(buffer.Start);
                if (bytes.Length == 0)
                {
                    throw new HandshakeException("the peer sent an empty handshake frame");
                }

                if (bytes[0] == RefuseKind)
                {
                    var r = new SpanReader(bytes.AsSpan(1));
                    throw new HandshakeException("the peer refused the connection: " + r.ReadString());
                }

                try
                {
                    return parse(bytes[0], bytes.AsSpan(1));
                }
                catch (ArgumentOutOfRangeException)
                {
                    throw new HandshakeException("the peer sent a malformed handshake");
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new HandshakeException("the peer closed the connection during the handshake");
            }
        }
    }

    private static void WriteUInt32(IBufferWriter<byte> w, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    private static void WriteString(IBufferWriter<byte> w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt32(w, (uint)bytes.Length);
        w.Write(bytes);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public byte ReadByte()
        {
            var b = _data[0];
            _data = _data[1..];
            return b;
        }

        public uint ReadUInt32()
        {
            var v = BinaryPrimitives.ReadUInt32LittleEndian(_data);
            _data = _data[4..];
            return v;
        }

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            var v = _data[..count];
            _data = _data[count..];
            return v;
        }

        public string ReadString()
        {
            var length = (int)ReadUInt32();
            if (length > 4096)
            {
                throw new HandshakeException("a handshake string is too long");
            }

            return Encoding.UTF8.GetString(ReadBytes(length));
        }
    }
}
