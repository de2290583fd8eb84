using OrleansCompute.Blobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Inputs.Blob;

/// <summary>
/// Job inputs in Azure Blob Storage. An input is <c>blob:{container}/{prefix}</c> or a URL
/// <c>{blob endpoint}/{container}/{prefix}</c> of the configured account (e.g.
/// <c>https://acct.blob.core.windows.net/logs/2026/11/</c>, or Azurite's <c>http://127.0.0.1:10000/devstoreaccount1/logs/2026</c>).
/// It names the blob called exactly <c>{prefix}</c> if there is one, else every blob whose name starts with
/// <c>{prefix}</c> (a plain prefix, as in a listing; end it with '/' to mean a "folder"); names ending in '/' are skipped.
/// Resolved files are called <c>blob:{container}/{name}</c>, so splits do not depend on how a silo spells its endpoint.
/// Splits are read with ranged GETs (<see cref="BlobRangeReader"/>): each partition fetches its own bytes plus a small
/// look-ahead to finish its last record. Inputs must not change while a job runs.
/// </summary>
public sealed class BlobInputSource : IInputSource, IDisposable
{
    private const string Scheme = "blob:";
    private readonly BlobRestClient _client;
    private readonly int _lookahead;

    public BlobInputSource(BlobInputOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LookaheadBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        BlobAccount account;
        try
        {
            account = BlobConnectionString.Parse(options.ConnectionString);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"BlobInputOptions.ConnectionString is invalid: {ex.Message}", nameof(options), ex);
        }

        _client = new BlobRestClient(account, new BlobRetryOptions { MaxAttempts = options.MaxAttempts });
        _lookahead = options.LookaheadBytes;
    }

    /// <summary>The configured Blob endpoint (no trailing '/').</summary>
    public string Endpoint => _client.Account.EndpointText;

    /// <summary>Bytes fetched by all readers this source opened (for tests and metrics).</summary>
    public long BytesFetched => Interlocked.Read(ref _bytesFetched);

    private long _bytesFetched;

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
        IReadOnlyList<BlobItem> listed;
        try
        {
            listed = _client.ListBlobsAsync(container, prefix).GetAwaiter().GetResult();
        }
        catch (BlobRequestException ex)
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
            .Select(b => new InputFile { Path = $"{Scheme}{container}/{b.Name}", Length = b.Length })
            .OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    public IRangeReader Open(string path, long start, long end)
    {
        var (container, name) = Parse(path);
        if (name.Length == 0)
        {
            throw new ComputeInputException($"'{path}' names a container, not a blob.");
        }

        return new BlobRangeReader(_client, container, name, start, end, _lookahead, bytes => Interlocked.Add(ref _bytesFetched, bytes));
    }

    public void Dispose() => _client.Dispose();

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
        if (!BlobRestClient.IsValidContainerName(container))
        {
            throw new ComputeInputException($"Input '{input}': '{container}' is not a blob container name (3–63 lower-case letters, digits and hyphens); write blob:<container>/<prefix>.");
        }

        return (container, rest);
    }

    internal static ComputeInputException ToInputError(string input, BlobRequestException ex) =>
        new($"Input '{input}' could not be read from blob storage: {ex.Message}", ex);
}
