namespace OrleansCompute.Silo;

/// <summary>Where the silo listens and what it tells peers and clients. Bound from <c>OrleansCompute:Endpoints</c>.</summary>
public sealed class EndpointSettings
{
    /// <summary>The address peers and clients reach this silo at. Default <c>127.0.0.1</c>.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>The address to bind (e.g. <c>0.0.0.0</c>); default: the advertised address.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>Silo-to-silo port. Default 11111 (Orleans's). Every silo on one machine needs its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Gateway port for cluster clients (the standalone API host). Default 30000 (Orleans's); 0 turns the gateway off.</summary>
    public int GatewayPort { get; set; } = 30000;
}
