namespace OrleansCompute.Blobs;

/// <summary>
/// Parses Azure Storage connection strings into a <see cref="BlobAccount"/>:
/// <list type="bullet">
/// <item><c>UseDevelopmentStorage=true</c> — Azurite / the storage emulator: account <c>devstoreaccount1</c> with its
/// well-known key at <c>http://127.0.0.1:10000/devstoreaccount1</c>.</item>
/// <item><c>DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net</c> — the endpoint is
/// <c>{protocol}://{account}.blob.{suffix}</c> (protocol default https, suffix default core.windows.net).</item>
/// <item><c>AccountName=…;AccountKey=…;BlobEndpoint=http://host:port/account</c> — an explicit endpoint wins.</item>
/// </list>
/// Keys are case-insensitive, values are taken after the first '=' (account keys end in '='), empty segments are
/// ignored, queue/table/file endpoints are ignored. Shared access signatures are refused (only SharedKey is supported).
/// Error messages name the setting that is wrong but never repeat the key.
/// </summary>
internal static class BlobConnectionString
{
    /// <summary>The storage emulator's account (documented publicly; the same in every Azurite).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The storage emulator's well-known account key (public; not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The storage emulator's default Blob endpoint.</summary>
    public const string DevelopmentBlobEndpoint = "http://127.0.0.1:10000/devstoreaccount1";

    private static readonly string[] s_known =
    [
        "UseDevelopmentStorage", "DevelopmentStorageProxyUri", "DefaultEndpointsProtocol", "AccountName", "AccountKey",
        "BlobEndpoint", "EndpointSuffix", "QueueEndpoint", "TableEndpoint", "FileEndpoint", "SharedAccessSignature",
        "BlobSecondaryEndpoint", "QueueSecondaryEndpoint", "TableSecondaryEndpoint", "FileSecondaryEndpoint",
    ];

    /// <summary>Builds the account a connection string describes; <see cref="FormatException"/> with a clear message when it is unusable.</summary>
    public static BlobAccount Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException("The Azure Storage connection string is empty: use 'UseDevelopmentStorage=true' for Azurite, or "
                + "'DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>;EndpointSuffix=core.windows.net'.");
        }

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rawPart in connectionString.Split(';'))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // Do not echo the part: it could be a mistyped key.
                throw new FormatException($"The Azure Storage connection string has a segment without 'name=value' (segment {SegmentNumber(connectionString, rawPart)}); segments are separated by ';'.");
            }

            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            var known = Array.Find(s_known, k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                throw new FormatException($"The Azure Storage connection string has an unknown setting '{name}' (known: {string.Join(", ", s_known)}).");
            }

            if (!settings.TryAdd(known, value))
            {
                throw new FormatException($"The Azure Storage connection string sets '{known}' more than once.");
            }
        }

        if (settings.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("The Azure Storage connection string uses a shared access signature; only account-key (SharedKey) authorization is supported: give AccountName and AccountKey.");
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var development))
        {
            if (!string.Equals(development, "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException($"UseDevelopmentStorage must be 'true' when present (was '{development}').");
            }

            if (settings.Count > 1)
            {
                throw new FormatException("UseDevelopmentStorage=true cannot be combined with other settings; for Azurite on another port use "
                    + $"'DefaultEndpointsProtocol=http;AccountName={DevelopmentAccountName};AccountKey=<its key>;BlobEndpoint=http://127.0.0.1:<port>/{DevelopmentAccountName}'.");
            }

            return new BlobAccount(DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey), new Uri(DevelopmentBlobEndpoint));
        }

        if (!settings.TryGetValue("AccountName", out var accountName) || accountName.Length == 0)
        {
            throw new FormatException("The Azure Storage connection string has no AccountName (or use UseDevelopmentStorage=true for Azurite).");
        }

        if (!IsValidAccountName(accountName))
        {
            throw new FormatException($"AccountName '{accountName}' is not a storage account name (3–24 lower-case letters and digits).");
        }

        if (!settings.TryGetValue("AccountKey", out var keyText) || keyText.Length == 0)
        {
            throw new FormatException($"The Azure Storage connection string for account '{accountName}' has no AccountKey (SharedKey authorization needs it).");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(keyText);
        }
        catch (FormatException)
        {
            throw new FormatException($"The AccountKey of account '{accountName}' is not valid base64 (copy it whole from the portal, including any trailing '=').");
        }

        if (key.Length == 0)
        {
            throw new FormatException($"The AccountKey of account '{accountName}' is empty.");
        }

        Uri endpoint;
        if (settings.TryGetValue("BlobEndpoint", out var blobEndpoint) && blobEndpoint.Length > 0)
        {
            if (!Uri.TryCreate(blobEndpoint, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")
                || !string.IsNullOrEmpty(parsed.Query) || !string.IsNullOrEmpty(parsed.Fragment))
            {
                throw new FormatException($"BlobEndpoint '{blobEndpoint}' is not an absolute http(s) URL without query (e.g. https://{accountName}.blob.core.windows.net or http://127.0.0.1:10000/{accountName}).");
            }

            endpoint = parsed;
        }
        else
        {
            var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
            if (protocol is not ("http" or "https"))
            {
                throw new FormatException($"DefaultEndpointsProtocol must be 'http' or 'https' (was '{protocol}').");
            }

            var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net").Trim('.');
            if (suffix.Length == 0 || Uri.CheckHostName($"{accountName}.blob.{suffix}") != UriHostNameType.Dns)
            {
                throw new FormatException($"EndpointSuffix '{suffix}' does not give a valid host name.");
            }

            endpoint = new Uri($"{protocol}://{accountName}.blob.{suffix}");
        }

        return new BlobAccount(accountName, key, endpoint);
    }

    /// <summary>Whether <paramref name="connectionString"/> parses; <paramref name="problem"/> says why not.</summary>
    public static bool TryParse(string? connectionString, out BlobAccount? account, out string? problem)
    {
        try
        {
            account = Parse(connectionString);
            problem = null;
            return true;
        }
        catch (FormatException ex)
        {
            account = null;
            problem = ex.Message;
            return false;
        }
    }

    private static bool IsValidAccountName(string name)
    {
        if (name.Length is < 3 or > 24)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return false;
            }
        }

        return true;
    }

    private static int SegmentNumber(string connectionString, string rawPart) =>
        Array.IndexOf(connectionString.Split(';'), rawPart) + 1;
}
