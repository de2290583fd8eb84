namespace OrleansCompute.Security;

/// <summary>
/// Mutual TLS between the cluster's nodes (<c>OrleansCompute:Tls:*</c>): every silo-to-silo and client-to-gateway
/// connection is TLS 1.2/1.3, and both ends present a certificate the other trusts. Off by default (plain TCP: for one
/// machine or a trusted network only — see the README's Security section).
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string Section = "OrleansCompute:Tls";

    /// <summary>Turns mutual TLS on for every connection of this node (silo or client).</summary>
    public bool Enabled { get; set; }

    /// <summary>This node's certificate: a PEM file (with <see cref="KeyPath"/>, or with its key inside) or a PKCS#12 (.pfx/.p12) file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/> when it is not in the same file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PKCS#12 file or of an encrypted PEM key. Never logged.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Or: the certificate's subject in a certificate store (<see cref="StoreName"/>, <see cref="StoreLocation"/>).</summary>
    public string? Subject { get; set; }

    public string StoreName { get; set; } = "My";

    public string StoreLocation { get; set; } = "CurrentUser";

    /// <summary>
    /// PEM file of the certificate authorities whose certificates this node trusts (the cluster's own CA: nothing else is
    /// trusted, not even the machine's root store).
    /// </summary>
    public string? CaPath { get; set; }

    /// <summary>Or/and: SHA-256 fingerprints (hex, colons allowed) of the exact peer certificates this node trusts.</summary>
    public List<string> PinnedCertificates { get; set; } = [];

    /// <summary>How long a TLS handshake may take before the connection is dropped (Orleans's default: 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
