using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansCompute.Api.Security;

/// <summary>Keeps secrets out of a host's logs (<see cref="SecretRedactor"/>, <see cref="RedactingLoggerFactory"/>).</summary>
public static class SecretRedactionExtensions
{
    /// <summary>
    /// Registers a <see cref="SecretRedactor"/> of <paramref name="configuration"/>'s secrets (read when first needed, so
    /// after every configuration source was added) unless one is registered already.
    /// </summary>
    public static IServiceCollection AddSecretRedactor(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => SecretRedactor.FromConfiguration(configuration));
        return services;
    }

    /// <summary>
    /// Puts the host's logger factory behind the <see cref="SecretRedactor"/> of <paramref name="configuration"/>: whatever a
    /// provider writes (console, OpenTelemetry, files) has configured secrets, connection-string passwords, account keys and
    /// SAS signatures replaced by <c>***</c>. Call once, after adding the providers.
    /// </summary>
    public static ILoggingBuilder RedactSecrets(this ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        logging.Services.AddSecretRedactor(configuration);
        logging.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(
            new LoggerFactory(sp.GetServices<ILoggerProvider>(), sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                sp.GetService<IOptions<LoggerFactoryOptions>>(), sp.GetService<IExternalScopeProvider>()),
            sp.GetRequiredService<SecretRedactor>())));
        return logging;
    }
}
