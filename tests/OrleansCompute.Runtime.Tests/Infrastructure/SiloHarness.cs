using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansCompute.Hosting;

namespace OrleansCompute.Runtime.Tests.Infrastructure;

/// <summary>A real single-silo host in the test process.</summary>
public sealed class SiloHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private SiloHarness(IHost host) => _host = host;

    public IGrainFactory GrainFactory => _host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _host.Services;

    public static async Task<SiloHarness> StartAsync(Action<ISiloBuilder>? configure = null, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.UseOrleansCompute(silo =>
        {
            silo.Services.AddSingleton<CallLog>();
            configure?.Invoke(silo);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new SiloHarness(host);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
