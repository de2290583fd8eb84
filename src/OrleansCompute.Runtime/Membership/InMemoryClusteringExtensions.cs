using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Membership;

namespace OrleansCompute.Hosting;

/// <summary>Registers <see cref="InMemoryMembershipTable"/> as the silo's <see cref="IMembershipTable"/>.</summary>
public static class InMemoryClusteringExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IMembershipTable"/>, replacing any registered before: <paramref name="shared"/> when given
    /// (pass the same instance to every silo of an in-process cluster), otherwise a new <see cref="InMemoryMembershipTable"/>
    /// for the cluster id in <see cref="SiloOptions"/>.
    /// </summary>
    public static IServiceCollection UseInMemoryClustering(this IServiceCollection services, InMemoryMembershipTable? shared = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IMembershipTable>();
        if (shared is null)
        {
            services.AddOptions();
            services.AddSingleton<IMembershipTable>(static sp => new InMemoryMembershipTable(sp.GetRequiredService<IOptions<SiloOptions>>().Value.ClusterId));
        }
        else
        {
            services.AddSingleton<IMembershipTable>(shared);
        }

        return services;
    }

    /// <inheritdoc cref="UseInMemoryClustering(IServiceCollection, InMemoryMembershipTable?)"/>
    public static ISiloBuilder UseInMemoryClustering(this ISiloBuilder builder, InMemoryMembershipTable? shared = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.UseInMemoryClustering(shared);
        return builder;
    }
}
