namespace OrleansCompute.Configuration;

/// <summary>Call behaviour. Bound from <c>OrleansCompute:Messaging</c>.</summary>
public sealed class MessagingOptions
{
    /// <summary>A call with no response after this long fails with <see cref="TimeoutException"/>. Default 30 s;
    /// override per method with <c>[ResponseTimeout]</c>.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often pending calls are checked against their timeout (the timeout's precision). Default 200 ms.</summary>
    public TimeSpan ResponseTimeoutCheckInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest message a silo or client sends or accepts. Default 16 MiB.</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Bound on a connection's authentication handshake. Default 5 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on opening a TCP connection. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Turns an activation runs before yielding its thread to others. Default 64.</summary>
    public int ActivationTurnBatch { get; set; } = 64;
}
