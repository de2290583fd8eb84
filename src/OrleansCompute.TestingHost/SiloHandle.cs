using System.Net;
using Microsoft.Extensions.Hosting;
using OrleansCompute.Runtime;

namespace OrleansCompute.TestingHost;

/// <summary>One silo of a <see cref="TestCluster"/>.</summary>
public sealed class SiloHandle
{
    internal SiloHandle(string name, IHost host, SiloAddress address, IPEndPoint? gateway)
    {
        Name = name;
        Host = host;
        SiloAddress = address;
        GatewayAddress = gateway;
    }

    public string Name { get; }

    public SiloAddress SiloAddress { get; }

    public IPEndPoint? GatewayAddress { get; }

    /// <summary>The silo's own services (its grain factory, options, storage…).</summary>
    public IServiceProvider ServiceProvider => Host.Services;

    /// <summary>False once stopped or killed.</summary>
    public bool IsActive { get; internal set; } = true;

    internal IHost Host { get; }

    public override string ToString() => $"{Name} ({SiloAddress})";
}
