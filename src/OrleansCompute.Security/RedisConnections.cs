using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace OrleansCompute.Security;

/// <summary>
/// Redis connection settings shared by the silo and the API host. Authentication and encryption are StackExchange.Redis's
/// own options in the connection string (<c>password=…</c>, <c>user=…</c>, <c>ssl=true</c>, <c>sslHost=…</c>); what a
/// connection string cannot say is which CA to trust for a Redis server whose certificate the machine does not trust:
/// <c>OrleansCompute:Redis:CaPath</c> (PEM), applied to every Redis connection of the node (membership and grain state).
/// </summary>
public static class RedisConnections
{
    public const string CaPathKey = "OrleansCompute:Redis:CaPath";

    /// <summary>Null when <c>OrleansCompute:Redis:*</c> is usable, else a message naming the setting.</summary>
    public static string? Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration[CaPathKey] is { Length: > 0 } ca && !File.Exists(ca)
            ? $"{CaPathKey}: no such file '{ca}' (the PEM certificate of the CA that issued the Redis server's TLS certificate)."
            : null;
    }

    /// <summary>
    /// Parses <paramref name="connectionString"/> (null when it is not a valid StackExchange.Redis configuration) for a
    /// node that must start, and keep retrying in the background, while Redis is briefly away.
    /// </summary>
    public static ConfigurationOptions? Parse(string connectionString, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException)
        {
            return null;
        }

        options.AbortOnConnectFail = false;
        if (configuration?[CaPathKey] is { Length: > 0 } ca && File.Exists(ca))
        {
            options.TrustIssuer(ca);
        }

        return options;
    }
}
