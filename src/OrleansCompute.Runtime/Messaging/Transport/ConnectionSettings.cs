namespace OrleansCompute.Messaging.Transport;

/// <summary>What a side of a connection presents and enforces.</summary>
internal sealed record ConnectionSettings(
    PeerKind Kind,
    string ClusterId,
    string Identity,
    byte[] Secret,
    int MaxMessageSize,
    TimeSpan HandshakeTimeout,
    TimeSpan ConnectTimeout);
