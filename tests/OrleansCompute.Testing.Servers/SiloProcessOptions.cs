namespace OrleansCompute.Testing.Servers;

/// <summary>How <see cref="SiloProcess.StartAsync(SiloProcessOptions)"/> starts a Redis-clustered silo process.</summary>
public sealed class SiloProcessOptions
{
    public required string Name { get; init; }

    /// <summary>StackExchange.Redis connection string of the clustering and storage server.</summary>
    public required string Redis { get; init; }

    public required string ClusterId { get; init; }

    /// <summary>Address peers and clients use (also the bind address unless <see cref="ListenAddress"/> is set).</summary>
    public string AdvertisedAddress { get; init; } = "127.0.0.1";

    /// <summary>Bind address, e.g. <c>0.0.0.0</c> to accept on every interface of a namespace.</summary>
    public string? ListenAddress { get; init; }

    /// <summary>
    /// Silo-to-silo port. 0 (default) allocates a free one: Orleans advertises the configured port, so each silo process
    /// gets an explicit free port (inside a <see cref="NetworkNamespace"/>: 11111, the namespace has its own ports).
    /// </summary>
    public int SiloPort { get; init; }

    /// <summary>Gateway (client) port: 0 (default) allocates a free one (30000 inside a namespace); -1 disables the gateway.</summary>
    public int GatewayPort { get; init; }

    /// <summary>Run inside this Linux network namespace (<c>ip netns exec</c>; needs root).</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>
    /// Port of the co-hosted HTTP API on <see cref="ApiAddress"/>; null (default) turns the API off
    /// (<c>OrleansCompute:Api:Enabled=false</c>), 0 allocates a free loopback port.
    /// </summary>
    public int? ApiPort { get; init; }

    /// <summary>Address the API listens on (default <c>127.0.0.1</c>; a non-loopback address needs an API key).</summary>
    public string ApiAddress { get; init; } = "127.0.0.1";

    /// <summary>More <c>--Key=Value</c> configuration arguments (they come last, so they override).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}
