using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.Hosting;

/// <summary>Adds <see cref="AzureBlobGrainStorage"/> providers to a silo.</summary>
public static class AzureBlobGrainStorageExtensions
{
    /// <summary>
    /// Adds a Azure Blob grain storage provider called <paramref name="name"/>. Its <see cref="AzureBlobGrainStorageOptions"/> are
    /// named options (name = provider name), validated at start-up; blob names are prefixed with <see cref="SiloOptions.ServiceId"/>.
    /// The container is created on first use if missing; transient errors are retried with bounded backoff.
    /// </summary>
    public static IServiceCollection AddAzureBlobGrainStorage(this IServiceCollection services, string name, Action<AzureBlobGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<AzureBlobGrainStorageOptions>(name)
            .Configure(configure)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AzureBlobGrainStorageOptions>>(new NamedValidation(name));

        services.AddGrainStorage(name, static (sp, providerName) => new AzureBlobGrainStorage(
            providerName,
            sp.GetRequiredService<IOptionsMonitor<AzureBlobGrainStorageOptions>>().Get(providerName),
            sp.GetRequiredService<IOptions<SiloOptions>>().Value.ServiceId,
            sp.GetGrainStorageSerializer(providerName),
            sp.GetService<ILogger<AzureBlobGrainStorage>>()));
        return services;
    }

    /// <summary>Adds a Azure Blob grain storage provider as the default provider (<c>Default</c>).</summary>
    public static IServiceCollection AddAzureBlobGrainStorageAsDefault(this IServiceCollection services, Action<AzureBlobGrainStorageOptions> configure)
        => services.AddAzureBlobGrainStorage(ProviderConstants.DefaultStorageProviderName, configure);

    /// <inheritdoc cref="AddAzureBlobGrainStorage(IServiceCollection, string, Action{AzureBlobGrainStorageOptions})"/>
    public static ISiloBuilder AddAzureBlobGrainStorage(this ISiloBuilder builder, string name, Action<AzureBlobGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAzureBlobGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds a Azure Blob grain storage provider as the default provider (<c>Default</c>).</summary>
    public static ISiloBuilder AddAzureBlobGrainStorageAsDefault(this ISiloBuilder builder, Action<AzureBlobGrainStorageOptions> configure)
        => builder.AddAzureBlobGrainStorage(ProviderConstants.DefaultStorageProviderName, configure);

    // Reports the precise problem (the first invalid setting) for the named options of one provider.
    private sealed class NamedValidation(string name) : IValidateOptions<AzureBlobGrainStorageOptions>
    {
        public ValidateOptionsResult Validate(string? optionsName, AzureBlobGrainStorageOptions options)
        {
            if (!string.Equals(optionsName, name, StringComparison.Ordinal))
            {
                return ValidateOptionsResult.Skip;
            }

            var problem = AzureBlobGrainStorageOptionsValidation.Check(options, name);
            return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
        }
    }
}
