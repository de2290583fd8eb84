using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// A certificate authority made at test time (ECDSA P-256) that issues node certificates, written as PEM files into a
/// temp folder (removed on dispose). Nothing is added to any certificate store.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey;

    private TestCertificates(string name, string folder)
    {
        Folder = folder;
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} test CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        CaPath = Path.Combine(folder, $"{name}-ca.pem");
        File.WriteAllText(CaPath, Authority.ExportCertificatePem());
    }

    public string Folder { get; }

    /// <summary>The CA certificate (public part).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>PEM file of <see cref="Authority"/>: what nodes put in <c>OrleansCompute:Tls:CaPath</c>.</summary>
    public string CaPath { get; }

    /// <summary>A new CA named <paramref name="name"/> in its own temp folder.</summary>
    public static TestCertificates Create(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "oc-cert-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new TestCertificates(name, folder);
    }

    /// <summary>
    /// Issues a node certificate (server and client authentication, valid from <paramref name="notBefore"/> for
    /// <paramref name="lifetime"/>) and writes it and its key as PEM files.
    /// </summary>
    public NodeCertificate Issue(string node, DateTimeOffset? notBefore = null, TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={node}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // serverAuth, clientAuth
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(node);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Authority.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), from,
            from + (lifetime ?? TimeSpan.FromDays(1)), serial);
        var certificatePath = Path.Combine(Folder, $"{node}.pem");
        var keyPath = Path.Combine(Folder, $"{node}.key.pem");
        File.WriteAllText(certificatePath, issued.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new NodeCertificate(node, certificatePath, keyPath, Convert.ToHexString(SHA256.HashData(issued.RawData)));
    }

    public void Dispose()
    {
        _caKey.Dispose();
        Authority.Dispose();
        TempFolders.TryDelete(Folder);
    }
}

/// <summary>A node certificate's PEM files and SHA-256 fingerprint.</summary>
public sealed record NodeCertificate(string Name, string CertificatePath, string KeyPath, string Sha256)
{
    /// <summary>
    /// The silo / API host arguments that turn mutual TLS on with this certificate, trusting <paramref name="caPath"/>
    /// and/or the <paramref name="pins"/>.
    /// </summary>
    public IReadOnlyList<string> Arguments(string? caPath, params string[] pins)
    {
        var arguments = new List<string>
        {
            "--OrleansCompute:Tls:Enabled=true",
            $"--OrleansCompute:Tls:CertificatePath={CertificatePath}",
            $"--OrleansCompute:Tls:KeyPath={KeyPath}",
        };
        if (caPath is not null)
        {
            arguments.Add($"--OrleansCompute:Tls:CaPath={caPath}");
        }

        for (var i = 0; i < pins.Length; i++)
        {
            arguments.Add($"--OrleansCompute:Tls:PinnedCertificates:{i}={pins[i]}");
        }

        return arguments;
    }
}
