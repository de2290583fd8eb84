namespace OrleansCompute.Api;

/// <summary>
/// The cluster connection of a standalone API host (an Orleans cluster client), registered by that host; absent in a
/// co-hosted silo, which is part of the cluster. While <see cref="IsConnected"/> is false, <c>/api/…</c> answers 503
/// (problem details naming <see cref="Status"/>) and <c>/health/ready</c> says not ready, instead of calling grains
/// through a client that has no gateway.
/// </summary>
public interface IClusterConnectionState
{
    /// <summary>True once the client reached a gateway, and while it has at least one.</summary>
    bool IsConnected { get; }

    /// <summary>One line on the connection, e.g. <c>connected through 2 gateway(s)</c> or why it is not.</summary>
    string Status { get; }
}
