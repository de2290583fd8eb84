namespace OrleansCompute.Blobs;

/// <summary>
/// A storage account and how to reach its Blob service: the account name, its SharedKey and the Blob endpoint
/// (<c>https://{account}.blob.core.windows.net</c>, or path-style such as Azurite's <c>http://127.0.0.1:10000/devstoreaccount1</c>).
/// Built by <see cref="BlobConnectionString.Parse"/>. <see cref="ToString"/> never shows the key.
/// </summary>
internal sealed class BlobAccount
{
    public BlobAccount(string name, byte[] key, Uri blobEndpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        if (key.Length == 0)
        {
            throw new ArgumentException("The account key is empty.", nameof(key));
        }

        Name = name;
        Key = key;
        var text = blobEndpoint.AbsoluteUri;
        BlobEndpoint = new Uri(text.EndsWith('/') ? text : text + "/", UriKind.Absolute);
    }

    /// <summary>The account name (signed into every request).</summary>
    public string Name { get; }

    /// <summary>The decoded account key (HMAC-SHA256 key of the SharedKey scheme).</summary>
    public byte[] Key { get; }

    /// <summary>The Blob service endpoint, always ending in '/'; containers are path segments below it.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The endpoint without the trailing '/', as a user would write it in a blob URL.</summary>
    public string EndpointText => BlobEndpoint.AbsoluteUri.TrimEnd('/');

    /// <summary>The URL of a container, or of a blob when <paramref name="blobName"/> is given (each path segment escaped).</summary>
    public Uri GetUri(string container, string? blobName = null, string? query = null)
    {
        var path = EndpointText + "/" + Uri.EscapeDataString(container);
        if (!string.IsNullOrEmpty(blobName))
        {
            path += "/" + EscapeBlobName(blobName);
        }

        return new Uri(string.IsNullOrEmpty(query) ? path : path + "?" + query, UriKind.Absolute);
    }

    /// <summary>Escapes every '/'-separated segment of a blob name for a URL path (RFC 3986 unreserved characters stay).</summary>
    public static string EscapeBlobName(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        return string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString));
    }

    public override string ToString() => $"account '{Name}' at {EndpointText}";
}
