using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Inputs.Blob;

/// <summary>
/// Job inputs in Azure Blob Storage, read with the Azure SDK (<c>Azure.Storage.Blobs</c>). An input is
/// <c>blob:{container}/{prefix}</c> or a URL <c>{blob endpoint}/{container}/{prefix}</c> of the configured account (e.g.
/// <c>https://acct.blob.core.windows.net/logs/2026/11/</c>, or Azurite's <c>http://127.0.0.1:10000/devstoreaccount1/logs/2026</c>).
/// It names the blob called exactly <c>{prefix}</c> if there is one, else every blob whose name starts with
/// <c>{prefix}</c> (a plain prefix, as in a listing; end it with '/' to mean a "folder"); names ending in '/' are skipped.
/// Resolved files are called <c>blob:{container}/{name}</c>, so splits do not depend on how a silo spells its endpoint.
/// Splits are read with ranged downloads (<see cref="BlobRangeReader"/>): each partition fetches its own bytes plus a
/// small look-ahead to finish its last record. Inputs must not change while a job runs.
/// </summary>
public sealed class BlobInputSource : IInputSource, IDisposable
{
    private const string Scheme = "blob:";
    private readonly BlobServiceClient _service;
    private readonly int _lookahead;
    private long _bytesFetched;

    public BlobInputSource(BlobInputOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LookaheadBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("BlobInputOptions.ConnectionString is required.", nameof(options));
        }

        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = options.MaxAttempts - 1;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        try
        {
            _service = new BlobServiceClient(options.ConnectionString, clientOptions);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"BlobInputOptions.ConnectionString is invalid: {ex.Message}", nameof(options), ex);
        }

        _lookahead = options.LookaheadBytes;
        Endpoint = _service.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The configured Blob endpoint (no trailing '/').</summary>
    public string Endpoint { get; }

    /// <summary>Bytes fetched by all readers this source opened (for tests and metrics).</summary>
    public long BytesFetched => Interlocked.Read(ref _bytesFetched);

    public bool Owns(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<InputFile> Resolve(string input)
    {
        var (container, prefix) = Parse(input);
        List<BlobItem> listed;
        try
        {
            listed = [.. _service.GetBlobContainerClient(container).GetBlobs(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None)];
        }
        catch (RequestFailedException ex)
        {
            throw ToInputError(input, ex);
        }

        var exact = listed.Where(b => string.Equals(b.Name, prefix, StringComparison.Ordinal)).ToList();
        var chosen = exact.Count > 0 ? exact : listed.Where(b => !b.Name.EndsWith('/')).ToList();
        if (chosen.Count == 0)
        {
            throw new ComputeInputException($"Input '{input}' matched no blobs (container '{container}', prefix '{prefix}' at {Endpoint}).");
        }

        return [.. chosen
            .Select(b => new InputFile { Path = $"{Scheme}{container}/{b.Name}", Length = b.Properties.ContentLength ?? 0 })
            .OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    public IRangeReader Open(string path, long start, long end)
    {
        var (container, name) = Parse(path);
        if (name.Length == 0)
        {
            throw new ComputeInputException($"'{path}' names a container, not a blob.");
        }

        var blob = _service.GetBlobContainerClient(container).GetBlobClient(name);
        return new BlobRangeReader(blob, $"{Scheme}{container}/{name}", start, end, _lookahead, bytes => Interlocked.Add(ref _bytesFetched, bytes));
    }

    public void Dispose()
    {
        // BlobServiceClient holds no unmanaged resources of its own (its HTTP pipeline is shared and pooled).
    }

    /// <summary>Whether <paramref name="name"/> is a valid container name: 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static bool IsValidContainerName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>(container, prefix or blob name) of <c>blob:container/rest</c> or of a URL under the configured endpoint.</summary>
    private (string Container, string Remainder) Parse(string input)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        string relative;
        if (input.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            relative = input[Scheme.Length..].TrimStart('/');
        }
        else
        {
            var endpoint = Endpoint + "/";
            if (!Uri.TryCreate(input, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Query))
            {
                throw new ComputeInputException($"Input '{input}' is not a blob URL (expected {endpoint}<container>/<prefix>, without a query).");
            }

            var text = uri.GetLeftPart(UriPartial.Path);
            if (!text.StartsWith(endpoint, StringComparison.OrdinalIgnoreCase))
            {
                throw new ComputeInputException(
                    $"Input '{input}' is not in the configured blob account ({endpoint}); this silo can only read that account (OrleansCompute:Compute:Blob:ConnectionString).");
            }

            relative = Uri.UnescapeDataString(text[endpoint.Length..]);
        }

        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? relative : relative[..slash];
        var rest = slash < 0 ? "" : relative[(slash + 1)..];
        if (!IsValidContainerName(container))
        {
            throw new ComputeInputException($"Input '{input}': '{container}' is not a blob container name (3–63 lower-case letters, digits and hyphens); write blob:<container>/<prefix>.");
        }

        return (container, rest);
    }

    internal static ComputeInputException ToInputError(string input, RequestFailedException ex) =>
        new($"Input '{input}' could not be read from blob storage: {ex.Status} {ex.ErrorCode}: {FirstLine(ex.Message)}", ex);

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
