using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.Hosting;

/// <summary>Adds <see cref="MemoryGrainStorage"/> providers to a silo.</summary>
public static class MemoryGrainStorageExtensions
{
    /// <summary>Adds an in-memory grain storage provider called <paramref name="name"/> (default <c>Default</c>).</summary>
    public static IServiceCollection AddMemoryGrainStorage(
        this IServiceCollection services,
        string name = ProviderConstants.DefaultStorageProviderName)
        => services.AddGrainStorage(name, static (sp, providerName) => new MemoryGrainStorage(providerName, sp.GetGrainStorageSerializer(providerName)));

    /// <summary>Adds an in-memory grain storage provider as the default provider (<c>Default</c>).</summary>
    public static IServiceCollection AddMemoryGrainStorageAsDefault(this IServiceCollection services)
        => services.AddMemoryGrainStorage(ProviderConstants.DefaultStorageProviderName);

    /// <summary>Adds an in-memory grain storage provider called <paramref name="name"/> (default <c>Default</c>).</summary>
    public static ISiloBuilder AddMemoryGrainStorage(
        this ISiloBuilder builder,
        string name = ProviderConstants.DefaultStorageProviderName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMemoryGrainStorage(name);
        return builder;
    }

    /// <summary>Adds an in-memory grain storage provider as the default provider (<c>Default</c>).</summary>
    public static ISiloBuilder AddMemoryGrainStorageAsDefault(this ISiloBuilder builder)
        => builder.AddMemoryGrainStorage(ProviderConstants.DefaultStorageProviderName);
}
