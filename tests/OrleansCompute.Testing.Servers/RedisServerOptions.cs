namespace OrleansCompute.Testing.Servers;

/// <summary>How <see cref="RedisServer.StartAsync(RedisServerOptions, CancellationToken)"/> runs redis-server.</summary>
public sealed class RedisServerOptions
{
    /// <summary>The address to bind; default <c>127.0.0.1</c>.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>0 (default) picks a free loopback port.</summary>
    public int Port { get; init; }

    /// <summary>Run inside this Linux network namespace (<c>ip netns exec</c>; needs root).</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>
    /// <c>always</c> (default: a write is on disk before Redis answers it, so an acknowledged write survives kill -9)
    /// or <c>everysec</c> (up to a second of acknowledged writes can be lost on a crash).
    /// </summary>
    public string AppendFsync { get; init; } = "always";

    /// <summary><c>requirepass</c>: clients must AUTH with this password (it goes into <see cref="RedisServer.ConnectionString"/>).</summary>
    public string? Password { get; init; }

    /// <summary>
    /// Serve TLS only (<c>--port 0 --tls-port …</c>) with this certificate; clients need not present one. The connection
    /// string gets <c>ssl=true</c>; clients must trust <see cref="TlsCaPath"/>.
    /// </summary>
    public NodeCertificate? TlsCertificate { get; init; }

    /// <summary>The PEM of the CA that issued <see cref="TlsCertificate"/>.</summary>
    public string? TlsCaPath { get; init; }
}
