namespace OrleansCompute.Messaging.Transport;

/// <summary>Receives what arrives on connections.</summary>
internal interface IConnectionHandler
{
    /// <summary>One frame body. Called on the connection's read loop: parse and hand off, never block.</summary>
    void OnFrame(Connection connection, ReadOnlySpan<byte> body);

    /// <summary>The connection closed (<paramref name="error"/> is null for a clean close).</summary>
    void OnClosed(Connection connection, Exception? error);
}
