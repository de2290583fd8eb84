using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Activation;
using OrleansCompute.Configuration;
using OrleansCompute.Invocation;
using OrleansCompute.Messaging;
using OrleansCompute.Runtime;
using OrleansCompute.State;

namespace OrleansCompute.Hosting;

/// <summary>Adds a silo to a generic host: <c>builder.UseOrleansCompute(silo => ...)</c>.</summary>
public static class OrleansComputeHostingExtensions
{
    /// <summary>The configuration section silo settings are bound from.</summary>
    public const string ConfigurationSection = "OrleansCompute";

    public static IHostApplicationBuilder UseOrleansCompute(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOrleansComputeSilo(builder.Configuration, configure);
        return builder;
    }

    public static IHostBuilder UseOrleansCompute(this IHostBuilder builder, Action<HostBuilderContext, ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices((context, services) =>
            services.AddOrleansComputeSilo(context.Configuration, silo => configure?.Invoke(context, silo)));
    }

    /// <summary>Registers the silo's services; settings are read from the <c>OrleansCompute</c> configuration section.</summary>
    public static IServiceCollection AddOrleansComputeSilo(this IServiceCollection services, IConfiguration configuration,
        Action<ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(SiloMarker)))
        {
            throw new InvalidOperationException("UseOrleansCompute was called twice on one host.");
        }

        services.AddSingleton<SiloMarker>();
        var section = configuration.GetSection(ConfigurationSection);
        services.AddOptions<SiloOptions>().Bind(section.GetSection("Silo")).ValidateOnStart();
        services.AddOptions<MessagingOptions>().Bind(section.GetSection("Messaging")).ValidateOnStart();
        services.AddOptions<GrainCollectionOptions>().Bind(section.GetSection("GrainCollection")).ValidateOnStart();
        services.AddOptions<EndpointOptions>().Bind(section.GetSection("Endpoints")).ValidateOnStart();
        services.AddOptions<ClusterMembershipOptions>().Bind(section.GetSection("Membership")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EndpointOptions>, OptionsValidators>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterMembershipOptions>, OptionsValidators>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloOptions>, OptionsValidators>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MessagingOptions>, OptionsValidators>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainCollectionOptions>, OptionsValidators>());

        services.TryAddSingleton<ILoggerFactory, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory>();
        services.TryAdd(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(Logger<>)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrainTypeResolver>();
        services.TryAddSingleton<RequestExecutor>();
        services.TryAddSingleton(sp => new ActivationServices(
            sp,
            sp.GetRequiredService<RequestExecutor>(),
            sp.GetRequiredService<IOptions<MessagingOptions>>(),
            sp.GetRequiredService<IOptions<GrainCollectionOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp =>
        {
            var shared = sp.GetRequiredService<ActivationServices>();
            var catalog = new Catalog(sp.GetRequiredService<GrainTypeResolver>(), shared);
            shared.Catalog = catalog;
            shared.GrainRuntime = new LocalGrainRuntime(sp, catalog, sp.GetRequiredService<TimeProvider>());
            return catalog;
        });
        services.TryAddSingleton(sp =>
        {
            sp.GetRequiredService<Catalog>();
            return sp.GetRequiredService<ActivationServices>().GrainRuntime;
        });
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<LocalGrainRuntime>());
        services.TryAddSingleton<IClusterClient>(sp => sp.GetRequiredService<LocalGrainRuntime>());
        services.TryAddSingleton<IGrainReferenceRuntime>(sp => sp.GetRequiredService<LocalGrainRuntime>());
        services.TryAddSingleton<IPersistentStateFactory, PersistentStateFactory>();
        services.TryAddSingleton<ActivationMaintenance>();
        services.TryAddSingleton(sp => new Telemetry.SiloStatistics(sp.GetRequiredService<Catalog>(), sp.GetRequiredService<ActivationServices>()));
        services.TryAddSingleton<Cluster.ClusterSilo>();
        services.TryAddSingleton<ILocalSiloDetails, Cluster.LocalSiloDetails>();
        services.TryAddSingleton<SiloHost>();
        services.AddHostedService(sp => sp.GetRequiredService<SiloHost>());

        configure?.Invoke(new SiloBuilder(services, configuration));
        return services;
    }

    /// <summary>Adds a filter that runs around every call this silo delivers to a grain.</summary>
    public static ISiloBuilder AddIncomingGrainCallFilter<TFilter>(this ISiloBuilder builder)
        where TFilter : class, IIncomingGrainCallFilter
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IIncomingGrainCallFilter, TFilter>();
        return builder;
    }

    /// <summary>Adds a filter that runs around every call made through grain references in this process.</summary>
    public static ISiloBuilder AddOutgoingGrainCallFilter<TFilter>(this ISiloBuilder builder)
        where TFilter : class, IOutgoingGrainCallFilter
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IOutgoingGrainCallFilter, TFilter>();
        return builder;
    }

    /// <summary>Configures an options type bound by the silo (e.g. <see cref="GrainCollectionOptions"/>) in code.</summary>
    public static ISiloBuilder Configure<TOptions>(this ISiloBuilder builder, Action<TOptions> configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    private sealed class SiloMarker;
}
