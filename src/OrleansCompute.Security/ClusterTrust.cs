using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OrleansCompute.Security;

/// <summary>
/// Decides whether a peer's certificate belongs to this cluster: it chains to one of the cluster's CAs (and only those:
/// the machine's root store is not consulted), or it is one of the pinned certificates. Host names are not checked:
/// Orleans nodes reach each other by IP address, so a node's identity is "holds a certificate the cluster issued".
/// </summary>
public sealed partial class ClusterTrust
{
    private const int MaxLoggedRejections = 64;
    private readonly X509Certificate2Collection _authorities;
    private readonly HashSet<string> _pins;
    private readonly ConcurrentDictionary<string, byte> _logged = new(StringComparer.Ordinal);

    public ClusterTrust(X509Certificate2Collection authorities, IEnumerable<string> pinnedSha256)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(pinnedSha256);
        _authorities = authorities;
        _pins = new HashSet<string>(pinnedSha256.Select(NormalizeFingerprint), StringComparer.Ordinal);
    }

    /// <summary>Where rejections are reported (set once the host's logging exists); the first 64 distinct ones are logged.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Number of peer certificates refused so far (any reason).</summary>
    public long Rejections => Interlocked.Read(ref _rejections);

    private long _rejections;

    /// <summary>The SHA-256 fingerprint of <paramref name="certificate"/> as upper-case hex, the form pins are compared in.</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }

    /// <summary>Upper-case hex without separators (accepts <c>AB:CD:…</c>, spaces and lower case).</summary>
    public static string NormalizeFingerprint(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        return string.Concat(fingerprint.Where(char.IsAsciiHexDigit)).ToUpperInvariant();
    }

    /// <summary>Orleans's <c>RemoteCertificateValidator</c>: true when <paramref name="certificate"/> is trusted.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var reason = Check(certificate, presented);
        if (reason is null)
        {
            return true;
        }

        Interlocked.Increment(ref _rejections);
        var fingerprint = Fingerprint(certificate);
        if (Logger is { } logger && _logged.Count < MaxLoggedRejections && _logged.TryAdd(fingerprint, 0))
        {
            LogRejected(logger, certificate.Subject, certificate.Issuer, fingerprint, reason);
        }

        return false;
    }

    /// <summary>Null when trusted, else why not.</summary>
    public string? Check(X509Certificate2 certificate, X509Chain? presented = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"it is valid only from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}");
        }

        if (_pins.Contains(Fingerprint(certificate)))
        {
            return null;
        }

        if (_authorities.Count == 0)
        {
            return "it is not one of the pinned certificates (OrleansCompute:Tls:PinnedCertificates)";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (presented is not null)
        {
            // Intermediates the peer sent: usable to build the path, never trusted by themselves.
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawData.AsSpan().SequenceEqual(certificate.RawData))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (chain.Build(certificate))
        {
            return null;
        }

        var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"it does not chain to the cluster's CA (OrleansCompute:Tls:CaPath){(status.Length > 0 ? ": " + status : "")}"
            + (_pins.Count > 0 ? " and is not pinned" : "");
    }

    [LoggerMessage(EventId = 1, EventName = "PeerCertificateRejected", Level = LogLevel.Warning,
        Message = "Refused a TLS peer: certificate '{Subject}' issued by '{Issuer}' (SHA-256 {Fingerprint}): {Reason}. The connection is dropped.")]
    private static partial void LogRejected(ILogger logger, string subject, string issuer, string fingerprint, string reason);
}
