using System.Buffers;

namespace OrleansCompute.Messaging.Transport;

/// <summary>Something queued to be written on a connection.</summary>
internal abstract class OutboundMessage
{
    /// <summary>Writes the frame body (the connection adds the length prefix).</summary>
    public abstract void WriteBody(IBufferWriter<byte> output);

    /// <summary>The message could not be sent (too large, connection closed): fail whatever waits for it.</summary>
    public virtual void OnSendFailed(Exception exception)
    {
    }
}
