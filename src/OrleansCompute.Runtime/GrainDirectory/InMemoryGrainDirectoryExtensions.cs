using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansCompute.GrainDirectory;

namespace OrleansCompute.Hosting;

/// <summary>Registers <see cref="InMemoryGrainDirectory"/> as the silo's <see cref="IGrainDirectory"/>.</summary>
public static class InMemoryGrainDirectoryExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IGrainDirectory"/>, replacing any registered before: <paramref name="shared"/> when given
    /// (pass the same instance to every silo of an in-process cluster), otherwise a new <see cref="InMemoryGrainDirectory"/>.
    /// </summary>
    public static IServiceCollection UseInMemoryGrainDirectory(this IServiceCollection services, InMemoryGrainDirectory? shared = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IGrainDirectory>();
        if (shared is null)
        {
            services.AddSingleton<IGrainDirectory, InMemoryGrainDirectory>();
        }
        else
        {
            services.AddSingleton<IGrainDirectory>(shared);
        }

        return services;
    }

    /// <inheritdoc cref="UseInMemoryGrainDirectory(IServiceCollection, InMemoryGrainDirectory?)"/>
    public static ISiloBuilder UseInMemoryGrainDirectory(this ISiloBuilder builder, InMemoryGrainDirectory? shared = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.UseInMemoryGrainDirectory(shared);
        return builder;
    }
}
