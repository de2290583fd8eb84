namespace OrleansCompute.Messaging.Transport;

/// <summary>A connection was refused during the handshake; the message says why.</summary>
public sealed class HandshakeException(string reason) : Exception($"Connection refused: {reason}.")
{
    public string Reason { get; } = reason;
}
