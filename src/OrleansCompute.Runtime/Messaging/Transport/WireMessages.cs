using System.Buffers;
using OrleansCompute.Invocation;
using OrleansCompute.Runtime;
using OrleansCompute.Serialization;

namespace OrleansCompute.Messaging.Transport;

/// <summary>Message kinds (first varint of every frame body after the handshake).</summary>
internal enum MessageKind : uint
{
    Request = 1,
    Response = 2,
    Ping = 3,
    Pong = 4,
    ManifestRequest = 5,
    ManifestResponse = 6,
    Cancel = 7,
    LocateRequest = 8,
    LocateResponse = 9,
}

[Flags]
internal enum RequestFlags : uint
{
    None = 0,
    OneWay = 1,
    /// <summary>The caller may cancel: the receiver gives the grain a token a Cancel message cancels.</summary>
    Cancellable = 2,
}

/// <summary>
/// A grain call on the wire: kind, correlation id, hop count, flags, remaining timeout (ms), target
/// grain type and key, caller grain id, the method's request key, then the arguments as fields.
/// </summary>
internal sealed class RequestMessage(long correlationId, GrainId target, GrainRequest request, int hops, uint timeoutMs, Action<Exception>? onSendFailed)
    : OutboundMessage
{
    public override void WriteBody(IBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        writer.WriteVarUInt32((uint)MessageKind.Request);
        writer.WriteVarUInt64((ulong)correlationId);
        writer.WriteVarUInt32((uint)hops);
        var flags = (request.Options & InvokeMethodOptions.OneWay) != 0 ? RequestFlags.OneWay : RequestFlags.None;
        if (request.CancellationToken.CanBeCanceled)
        {
            flags |= RequestFlags.Cancellable;
        }

        writer.WriteVarUInt32((uint)flags);
        writer.WriteVarUInt32(timeoutMs);
        writer.WriteStringPayload(target.Type);
        writer.WriteStringPayload(target.Key);
        writer.WriteStringPayload(request.SourceId.IsDefault ? string.Empty : request.SourceId.ToString());
        writer.WriteStringPayload(request.RequestKey);
        request.WriteArguments(ref writer);
        writer.Commit();
    }

    public override void OnSendFailed(Exception exception) => onSendFailed?.Invoke(exception);
}

/// <summary>The response to a request: kind, correlation id, then field 1 (result) or 2 (exception).</summary>
internal sealed class ResponseMessage(long correlationId, GrainRequest request) : OutboundMessage
{
    public override void WriteBody(IBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        writer.WriteVarUInt32((uint)MessageKind.Response);
        writer.WriteVarUInt64((ulong)correlationId);
        request.WriteResponse(ref writer);
        writer.Commit();
    }
}

/// <summary>A body-less control message: ping, pong, cancel (kind + correlation id).</summary>
internal sealed class ControlMessage(MessageKind kind, long correlationId) : OutboundMessage
{
    public override void WriteBody(IBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        writer.WriteVarUInt32((uint)kind);
        writer.WriteVarUInt64((ulong)correlationId);
        writer.Commit();
    }
}

/// <summary>"Do you host an activation of this grain?" (used when the grain directory is unreachable).</summary>
internal sealed class LocateMessage(long correlationId, GrainId grainId) : OutboundMessage
{
    public override void WriteBody(IBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        writer.WriteVarUInt32((uint)MessageKind.LocateRequest);
        writer.WriteVarUInt64((ulong)correlationId);
        writer.WriteStringPayload(grainId.Type);
        writer.WriteStringPayload(grainId.Key);
        writer.Commit();
    }
}

/// <summary>The answer to a <see cref="LocateMessage"/>: kind, correlation id, 1 or 0.</summary>
internal sealed class LocateReply(long correlationId, bool found) : OutboundMessage
{
    public override void WriteBody(IBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        writer.WriteVarUInt32((uint)MessageKind.LocateResponse);
        writer.WriteVarUInt64((ulong)correlationId);
        writer.WriteVarUInt32(found ? 1u : 0u);
        writer.Commit();
    }
}

/// <summary>A body made of a kind, a correlation id and one serialized value (manifests).</summary>
internal sealed class ValueMessage<T>(MessageKind kind, long correlationId, T value) : OutboundMessage
{
    public override void WriteBody(IBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        writer.WriteVarUInt32((uint)kind);
        writer.WriteVarUInt64((ulong)correlationId);
        Codec<T>.Instance.WriteField(ref writer, 0, value);
        writer.Commit();
    }
}
