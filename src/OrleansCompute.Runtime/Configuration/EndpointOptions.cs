using System.Net;

namespace OrleansCompute.Configuration;

/// <summary>Where a silo listens and how peers reach it. Bound from <c>OrleansCompute:Endpoints</c>.</summary>
public sealed class EndpointOptions
{
    /// <summary>Address peers and clients use to reach this silo. Default <c>127.0.0.1</c>.</summary>
    public string AdvertisedAddress { get; set; } = IPAddress.Loopback.ToString();

    /// <summary>Address to bind. Default: the advertised address. Use <c>0.0.0.0</c> to listen on every interface.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>Silo-to-silo port; 0 picks a free port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port; 0 picks a free port; -1 disables the gateway. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;
}
