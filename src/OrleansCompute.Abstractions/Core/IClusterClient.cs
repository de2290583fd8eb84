namespace OrleansCompute;

/// <summary>
/// A client of the cluster: the grain factory used by code that is not itself a grain
/// (API handlers, tests, tools). Inside a silo the silo's own client is registered too.
/// </summary>
public interface IClusterClient : IGrainFactory
{
    /// <summary>The services of the host this client lives in.</summary>
    IServiceProvider ServiceProvider { get; }
}
