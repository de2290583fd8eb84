using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;
using OrleansCompute.GrainDirectory;
using OrleansCompute.Membership;

namespace OrleansCompute.Hosting;

/// <summary>Registers the Redis membership table and grain directory.</summary>
public static class RedisClusteringExtensions
{
    /// <summary>
    /// Registers <see cref="RedisMembershipTable"/> as the singleton <see cref="IMembershipTable"/> (replacing any registered
    /// before). <see cref="RedisClusteringOptions"/> are validated at start-up; keys are prefixed with the service id and
    /// cluster id of <see cref="SiloOptions"/>.
    /// </summary>
    public static IServiceCollection UseRedisClustering(this IServiceCollection services, Action<RedisClusteringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisClusteringOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisClusteringOptions>, RedisClusteringOptionsValidation>());
        services.RemoveAll<IMembershipTable>();
        services.AddSingleton<IMembershipTable>(static sp => new RedisMembershipTable(
            sp.GetRequiredService<IOptions<RedisClusteringOptions>>(),
            sp.GetRequiredService<IOptions<SiloOptions>>(),
            sp.GetService<ILogger<RedisMembershipTable>>()));
        return services;
    }

    /// <inheritdoc cref="UseRedisClustering(IServiceCollection, Action{RedisClusteringOptions})"/>
    public static ISiloBuilder UseRedisClustering(this ISiloBuilder builder, Action<RedisClusteringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.UseRedisClustering(configure);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="RedisGrainDirectory"/> as the singleton <see cref="IGrainDirectory"/> (replacing any registered
    /// before). <see cref="RedisGrainDirectoryOptions"/> are validated at start-up; keys are prefixed with the service id and
    /// cluster id of <see cref="SiloOptions"/>.
    /// </summary>
    public static IServiceCollection UseRedisGrainDirectory(this IServiceCollection services, Action<RedisGrainDirectoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisGrainDirectoryOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisGrainDirectoryOptions>, RedisClusteringOptionsValidation>());
        services.RemoveAll<IGrainDirectory>();
        services.AddSingleton<IGrainDirectory>(static sp => new RedisGrainDirectory(
            sp.GetRequiredService<IOptions<RedisGrainDirectoryOptions>>(),
            sp.GetRequiredService<IOptions<SiloOptions>>(),
            sp.GetService<ILogger<RedisGrainDirectory>>()));
        return services;
    }

    /// <inheritdoc cref="UseRedisGrainDirectory(IServiceCollection, Action{RedisGrainDirectoryOptions})"/>
    public static ISiloBuilder UseRedisGrainDirectory(this ISiloBuilder builder, Action<RedisGrainDirectoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.UseRedisGrainDirectory(configure);
        return builder;
    }
}
