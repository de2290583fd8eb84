using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;
using Validation = OrleansCompute.Storage.SqliteGrainStorageOptionsValidation;

namespace OrleansCompute.Hosting;

/// <summary>Adds <see cref="SqliteGrainStorage"/> providers to a silo.</summary>
public static class SqliteGrainStorageExtensions
{
    /// <summary>
    /// Adds a SQLite grain storage provider called <paramref name="name"/>. Its <see cref="SqliteGrainStorageOptions"/> are
    /// named options (name = provider name), validated at start-up; the database is opened when the host starts.
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

        services.AddGrainStorage(name, static (sp, providerName) => new SqliteGrainStorage(
            providerName,
            sp.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(providerName),
            sp.GetGrainStorageSerializer(providerName),
            sp.GetService<ILogger<SqliteGrainStorage>>()));

        // AddSingleton, not AddHostedService: the latter keeps only one registration per type, and each provider needs its own.
        services.AddSingleton<IHostedService>(sp => new SqliteGrainStorageInitializer(sp.GetRequiredKeyedService<IGrainStorage>(name)));
        return services;
    }

    /// <summary>Adds a SQLite grain storage provider as the default provider (<c>Default</c>).</summary>
    public static IServiceCollection AddSqliteGrainStorageAsDefault(this IServiceCollection services, Action<SqliteGrainStorageOptions> configure)
        => services.AddSqliteGrainStorage(ProviderConstants.DefaultStorageProviderName, configure);

    /// <inheritdoc cref="AddSqliteGrainStorage(IServiceCollection, string, Action{SqliteGrainStorageOptions})"/>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds a SQLite grain storage provider as the default provider (<c>Default</c>).</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure)
        => builder.AddSqliteGrainStorage(ProviderConstants.DefaultStorageProviderName, configure);
}
