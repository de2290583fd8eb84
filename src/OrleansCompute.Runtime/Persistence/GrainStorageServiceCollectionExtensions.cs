using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansCompute.Storage;

namespace OrleansCompute.Hosting;

/// <summary>Registration helpers shared by every grain storage provider.</summary>
public static class GrainStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers a grain storage provider as a keyed singleton <see cref="IGrainStorage"/> under <paramref name="name"/>
    /// (the runtime resolves it with <c>GetRequiredKeyedService&lt;IGrainStorage&gt;(name)</c>), and registers
    /// <see cref="JsonGrainStorageSerializer"/> as the default <see cref="IGrainStorageSerializer"/> unless one is
    /// registered already. A serializer registered later with <c>Add</c>/<c>Replace</c> also takes precedence.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The provider name, as used in <c>[PersistentState("state", "name")]</c>.</param>
    /// <param name="factory">Creates the provider from the service provider and its name.</param>
    public static IServiceCollection AddGrainStorage(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, string, IGrainStorage> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);

        services.TryAddSingleton<IGrainStorageSerializer, JsonGrainStorageSerializer>();
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => factory(sp, name));
        return services;
    }

    /// <summary>
    /// The serializer for the provider called <paramref name="name"/>: an <see cref="IGrainStorageSerializer"/>
    /// registered as a keyed service under that name if there is one, otherwise the default one.
    /// </summary>
    public static IGrainStorageSerializer GetGrainStorageSerializer(this IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        return services.GetKeyedService<IGrainStorageSerializer>(name) ?? services.GetRequiredService<IGrainStorageSerializer>();
    }
}
