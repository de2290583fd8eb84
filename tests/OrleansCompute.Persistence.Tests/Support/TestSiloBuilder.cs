using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Hosting;

namespace OrleansCompute.Persistence.Tests.Support;

/// <summary>The smallest <see cref="ISiloBuilder"/>: a service collection and empty configuration.</summary>
public sealed class TestSiloBuilder : ISiloBuilder
{
    public IServiceCollection Services { get; } = new ServiceCollection();

    public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
}
