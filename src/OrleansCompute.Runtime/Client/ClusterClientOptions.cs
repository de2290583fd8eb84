namespace OrleansCompute.Configuration;

/// <summary>A cluster client's settings. Bound from <c>OrleansCompute:Client</c>.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>Gateway endpoints (<c>ip:port</c>) to try first. With a membership table registered, the list is
    /// refreshed from it. At least one is required otherwise.</summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>Must equal the silos' cluster id. Default <c>dev</c>.</summary>
    public string ClusterId { get; set; } = "dev";

    /// <summary>The cluster's shared secret (never logged).</summary>
    public string? ClusterSecret { get; set; }

    /// <summary>Call timeout. Default 30 s.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the gateway list is refreshed from membership. Default 2 s.</summary>
    public TimeSpan GatewayRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest message sent or accepted. Default 16 MiB.</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024 * 1024;
}
