using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.Hosting;

/// <summary>Adds <see cref="RedisGrainStorage"/> providers to a silo.</summary>
public static class RedisGrainStorageExtensions
{
    /// <summary>
    /// Adds a Redis grain storage provider called <paramref name="name"/>. Its <see cref="RedisGrainStorageOptions"/> are
    /// named options (name = provider name), validated at start-up; keys are prefixed with <see cref="SiloOptions.ServiceId"/>.
    /// The connection is opened on first use and re-established on its own after an outage.
    /// </summary>
    public static IServiceCollection AddRedisGrainStorage(this IServiceCollection services, string name, Action<RedisGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<RedisGrainStorageOptions>(name)
            .Configure(configure)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisGrainStorageOptions>>(new NamedValidation(name));

        services.AddGrainStorage(name, static (sp, providerName) => new RedisGrainStorage(
            providerName,
            sp.GetRequiredService<IOptionsMonitor<RedisGrainStorageOptions>>().Get(providerName),
            sp.GetRequiredService<IOptions<SiloOptions>>().Value.ServiceId,
            sp.GetGrainStorageSerializer(providerName),
            sp.GetService<ILogger<RedisGrainStorage>>()));
        return services;
    }

    /// <summary>Adds a Redis grain storage provider as the default provider (<c>Default</c>).</summary>
    public static IServiceCollection AddRedisGrainStorageAsDefault(this IServiceCollection services, Action<RedisGrainStorageOptions> configure)
        => services.AddRedisGrainStorage(ProviderConstants.DefaultStorageProviderName, configure);

    /// <inheritdoc cref="AddRedisGrainStorage(IServiceCollection, string, Action{RedisGrainStorageOptions})"/>
    public static ISiloBuilder AddRedisGrainStorage(this ISiloBuilder builder, string name, Action<RedisGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRedisGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds a Redis grain storage provider as the default provider (<c>Default</c>).</summary>
    public static ISiloBuilder AddRedisGrainStorageAsDefault(this ISiloBuilder builder, Action<RedisGrainStorageOptions> configure)
        => builder.AddRedisGrainStorage(ProviderConstants.DefaultStorageProviderName, configure);

    // Reports the precise problem (the first invalid setting) for the named options of one provider.
    private sealed class NamedValidation(string name) : IValidateOptions<RedisGrainStorageOptions>
    {
        public ValidateOptionsResult Validate(string? optionsName, RedisGrainStorageOptions options)
        {
            if (!string.Equals(optionsName, name, StringComparison.Ordinal))
            {
                return ValidateOptionsResult.Skip;
            }

            var problem = RedisGrainStorageOptionsValidation.Check(options, name);
            return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
        }
    }
}
