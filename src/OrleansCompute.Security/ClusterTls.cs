using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace OrleansCompute.Security;

/// <summary>
/// Mutual TLS for a silo or a client from <see cref="ClusterTlsOptions"/>, on Orleans's <c>UseTls</c>
/// (Microsoft.Orleans.Connections.Security): both ends must present a certificate and both check the other's against
/// <see cref="ClusterTrust"/>. What we add to Orleans: reading the settings, loading PEM or PKCS#12 files, and trust
/// limited to the cluster's own CA or pins (Orleans's default would accept any certificate the machine trusts, and checks
/// host names that IP-addressed nodes do not have).
/// </summary>
public static class ClusterTls
{
    /// <summary>The settings under <c>OrleansCompute:Tls</c>, or null when TLS is off.</summary>
    public static ClusterTlsOptions? Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(ClusterTlsOptions.Section).Get<ClusterTlsOptions>();
        return options is { Enabled: true } ? options : null;
    }

    /// <summary>Null when the TLS settings are usable (or TLS is off), else a message naming the setting. Loads the files.</summary>
    public static string? Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ClusterTlsOptions? options;
        try
        {
            options = Read(configuration);
        }
        catch (InvalidOperationException ex)
        {
            return $"{ClusterTlsOptions.Section}: {ex.Message}";
        }

        if (options is null)
        {
            return null;
        }

        try
        {
            Load(options);
            return null;
        }
        catch (ClusterTlsException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Loads this node's certificate and the trust from <paramref name="options"/>; throws <see cref="ClusterTlsException"/> saying what is wrong.</summary>
    public static (X509Certificate2 Certificate, ClusterTrust Trust) Load(ClusterTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var certificate = LoadCertificate(options);
        if (!certificate.HasPrivateKey)
        {
            throw new ClusterTlsException($"{ClusterTlsOptions.Section}: the certificate '{certificate.Subject}' has no private key "
                + "(give KeyPath for a PEM certificate, or a PKCS#12 file that holds the key).");
        }

        var authorities = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(options.CaPath))
        {
            if (!File.Exists(options.CaPath))
            {
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}:CaPath: no such file '{options.CaPath}'.");
            }

            try
            {
                authorities.ImportFromPemFile(options.CaPath);
            }
            catch (CryptographicException ex)
            {
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}:CaPath: '{options.CaPath}' is not a PEM file of certificates ({ex.Message}).");
            }

            if (authorities.Count == 0)
            {
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}:CaPath: '{options.CaPath}' holds no certificate.");
            }
        }

        foreach (var pin in options.PinnedCertificates)
        {
            if (ClusterTrust.NormalizeFingerprint(pin).Length != 64)
            {
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}:PinnedCertificates: '{pin}' is not a SHA-256 fingerprint (64 hex digits).");
            }
        }

        if (authorities.Count == 0 && options.PinnedCertificates.Count == 0)
        {
            throw new ClusterTlsException($"{ClusterTlsOptions.Section}: say whom to trust: CaPath (the cluster's CA, PEM) and/or PinnedCertificates "
                + "(SHA-256 fingerprints of the peers' certificates). Nothing else is trusted.");
        }

        if (options.HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ClusterTlsException($"{ClusterTlsOptions.Section}:HandshakeTimeout must be positive (was {options.HandshakeTimeout}).");
        }

        return (certificate, new ClusterTrust(authorities, options.PinnedCertificates));
    }

    /// <summary>Mutual TLS on every silo-to-silo connection and on the gateway of <paramref name="builder"/>.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder builder, ClusterTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var (certificate, trust) = Load(options);
        AddRejectionLog(builder.Services, trust);
        return builder.UseTls(certificate, o => Configure(o, options, trust));
    }

    /// <summary>Mutual TLS on the connections of a cluster client to its gateways.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder builder, ClusterTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var (certificate, trust) = Load(options);
        AddRejectionLog(builder.Services, trust);
        return builder.UseTls(certificate, o => Configure(o, options, trust));
    }

    private static void Configure(TlsOptions tls, ClusterTlsOptions options, ClusterTrust trust)
    {
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate; // the peer must present one, either direction
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate; // and so must we, when we dial
        tls.RemoteCertificateValidation = trust.Validate;
        tls.HandshakeTimeout = options.HandshakeTimeout;
    }

    private static void AddRejectionLog(IServiceCollection services, ClusterTrust trust)
    {
        services.AddSingleton(trust);
        services.AddHostedService(sp => new TrustLoggerBinding(trust, sp.GetRequiredService<ILoggerFactory>()));
    }

    private static X509Certificate2 LoadCertificate(ClusterTlsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            var path = options.CertificatePath;
            if (!File.Exists(path))
            {
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}:CertificatePath: no such file '{path}'.");
            }

            if (!string.IsNullOrWhiteSpace(options.KeyPath) && !File.Exists(options.KeyPath))
            {
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}:KeyPath: no such file '{options.KeyPath}'.");
            }

            try
            {
                if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
                {
                    return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
                }

                var key = string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath;
                if (key is null && !File.ReadAllText(path).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
                {
                    throw new ClusterTlsException($"{ClusterTlsOptions.Section}: the certificate '{path}' has no private key: set KeyPath to its PEM key file "
                        + "(or use a PEM file that holds both, or a .pfx/.p12 file).");
                }

                return string.IsNullOrEmpty(options.CertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(path, key)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, key);
            }
            catch (CryptographicException ex)
            {
                // The message never includes the password.
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}: cannot load the certificate '{path}'"
                    + $"{(options.KeyPath is { Length: > 0 } k ? $" with the key '{k}'" : "")}: {ex.Message} "
                    + "(a PEM certificate with its key, or a .pfx/.p12 file; CertificatePassword for an encrypted one).");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Subject))
        {
            if (!Enum.TryParse<StoreName>(options.StoreName, ignoreCase: true, out var storeName)
                || !Enum.TryParse<StoreLocation>(options.StoreLocation, ignoreCase: true, out var location))
            {
                throw new ClusterTlsException($"{ClusterTlsOptions.Section}: StoreName '{options.StoreName}' / StoreLocation '{options.StoreLocation}' "
                    + "is not a certificate store (e.g. My / CurrentUser).");
            }

            using var store = new X509Store(storeName, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            var found = store.Certificates.Find(X509FindType.FindBySubjectName, options.Subject, validOnly: false)
                .Where(c => c.HasPrivateKey && c.NotAfter > DateTime.Now)
                .OrderByDescending(c => c.NotAfter)
                .FirstOrDefault();
            return found ?? throw new ClusterTlsException($"{ClusterTlsOptions.Section}:Subject: no unexpired certificate with a private key and subject "
                + $"'{options.Subject}' in the {location}/{storeName} store.");
        }

        throw new ClusterTlsException($"{ClusterTlsOptions.Section}: TLS is enabled but no certificate is configured: set CertificatePath "
            + "(PEM or .pfx/.p12, with KeyPath for a separate PEM key) or Subject (a certificate store).");
    }

    /// <summary>Hands the host's logger to the trust once the host runs (the TLS options are built before it exists).</summary>
    private sealed class TrustLoggerBinding(ClusterTrust trust, ILoggerFactory loggers) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            trust.Logger = loggers.CreateLogger(typeof(ClusterTls).FullName!);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>A TLS setting that cannot work; the message names it.</summary>
public sealed class ClusterTlsException(string message) : Exception(message);
