using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansCompute.Storage;
using Validation = OrleansCompute.Storage.SqliteGrainStorageOptionsValidation;

namespace OrleansCompute.Hosting;

/// <summary>Adds <see cref="SqliteGrainStorage"/> providers to an Orleans silo.</summary>
public static class SqliteGrainStorageExtensions
{
    /// <summary>
    /// Adds a SQLite grain storage provider called <paramref name="name"/> to the silo's services, the way Orleans's own
    /// providers register: a keyed <see cref="IGrainStorage"/> (used by <c>[PersistentState("state", name)]</c>) that
    /// opens the database when the silo starts. The same instance is registered as a keyed <see cref="IGrainLogStorage"/>
    /// under <paramref name="name"/>. Its <see cref="SqliteGrainStorageOptions"/> are named options (name = provider name),
    /// validated at host start-up; <see cref="SqliteGrainStorageOptions.GrainStorageSerializer"/> defaults to the
    /// <see cref="IGrainStorageSerializer"/> keyed by <paramref name="name"/>, else the silo's default one.
    /// </summary>
    public static IServiceCollection AddSqliteGrainStorage(
        this IServiceCollection services,
        string name,
        Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteGrainStorageOptions>(name)
            .Configure(configure)
            .Validate(Validation.HasDatabasePath, Validation.DatabasePathMessage(name))
            .Validate(Validation.HasValidTableName, Validation.TableNameMessage(name))
            .Validate(Validation.HasValidBusyTimeout, Validation.BusyTimeoutMessage(name))
            .Validate(Validation.HasValidSynchronous, Validation.SynchronousMessage(name))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Transient<
            IPostConfigureOptions<SqliteGrainStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<SqliteGrainStorageOptions>>());
        services.ConfigureNamedOptionForLogging<SqliteGrainStorageOptions>(name);

        // Keyed IGrainStorage; because SqliteGrainStorage is an ILifecycleParticipant<ISiloLifecycle>, AddGrainStorage also
        // registers it as one, so the silo opens the database at SqliteGrainStorageOptions.InitStage.
        services.AddGrainStorage(name, static (sp, providerName) => new SqliteGrainStorage(
            providerName,
            sp.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(providerName),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetService<ILogger<SqliteGrainStorage>>()));
        services.AddKeyedSingleton<IGrainLogStorage>(name, static (sp, key) =>
        {
            var providerName = (string)key!;
            return sp.GetRequiredKeyedService<IGrainStorage>(providerName) as IGrainLogStorage
                ?? throw new InvalidOperationException(
                    $"The grain storage registered as '{providerName}' is not a SqliteGrainStorage (it was replaced after AddSqliteGrainStorage), so it offers no IGrainLogStorage.");
        });
        return services;
    }

    /// <summary>Adds a SQLite grain storage provider as the default provider (<see cref="ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME"/>, "Default").</summary>
    public static IServiceCollection AddSqliteGrainStorageAsDefault(this IServiceCollection services, Action<SqliteGrainStorageOptions> configure)
        => services.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <inheritdoc cref="AddSqliteGrainStorage(IServiceCollection, string, Action{SqliteGrainStorageOptions})"/>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds a SQLite grain storage provider as the default provider (<see cref="ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME"/>, "Default").</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure)
        => builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);
}
