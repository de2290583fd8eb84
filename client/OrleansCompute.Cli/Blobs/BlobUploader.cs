using System.Net.Sockets;
using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace OrleansCompute.Cli.Blobs;

/// <summary>One file uploaded by <see cref="BlobUploader"/>.</summary>
internal readonly record struct BlobUpload(string File, string Container, string BlobName, long Bytes);

/// <summary>
/// Uploads a file or a directory tree to <c>container/prefix</c> with the Azure SDK (the work behind <c>ocx data upload</c>):
/// <list type="bullet">
/// <item>a file goes to the blob <c>prefix</c>, or to <c>prefix + file name</c> when the prefix is empty or ends with '/';</item>
/// <item>a directory's files go to <c>prefix/relative/path</c> ('/' separators; the directory's own name is not part of it),
/// symbolic links to directories are not followed (no cycles), files are sent in ordinal order of their relative path;</item>
/// <item>the container is created if missing; each file goes through <see cref="BlobClient.UploadAsync(string, BlobUploadOptions, CancellationToken)"/>:
/// one Put Blob up to <see cref="SingleShotBytes"/>, blocks of <see cref="BlockBytes"/> uploaded in parallel above that;</item>
/// <item>every request carries an MD5 the service checks (transactional), and the whole file's MD5 is stored as the
/// blob's Content-MD5, unless <see cref="ComputeMd5"/> is off;</item>
/// <item><see cref="MaxParallelism"/> transfers at once: up to that many files, and a file's blocks share what is left
/// (one large file uses them all); transient failures are retried by the SDK with exponential backoff;</item>
/// <item>with <see cref="Overwrite"/> off an existing blob is left alone and the upload fails naming it.</item>
/// </list>
/// Errors are <see cref="BlobTransferException"/>s naming the file and the blob; the first failure cancels the uploads
/// not yet started.
/// </summary>
internal sealed class BlobUploader
{
    /// <summary>Files up to this size go in one Put Blob; larger ones in blocks.</summary>
    public const long SingleShotBytes = 32L * 1024 * 1024;

    /// <summary>Size of each block of a larger file.</summary>
    public const long BlockBytes = 8L * 1024 * 1024;

    private readonly BlobServiceClient _service;

    public BlobUploader(BlobServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <summary>Transfers at once (files, then a file's blocks). Default 4.</summary>
    public int MaxParallelism { get; init; } = 4;

    /// <summary>Send and store an MD5 per file (the service verifies each request's). Default true.</summary>
    public bool ComputeMd5 { get; init; } = true;

    /// <summary>Replace existing blobs. Default true; when false an existing blob fails the upload.</summary>
    public bool Overwrite { get; init; } = true;

    /// <summary>
    /// A service client for <paramref name="connectionString"/> with the retry policy of the tool (3 retries, exponential
    /// from 0.5 s); <see cref="FormatException"/> naming what is wrong (never repeating the key) when it is not usable.
    /// </summary>
    public static BlobServiceClient CreateService(string connectionString)
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        try
        {
            return new BlobServiceClient(connectionString, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new FormatException($"The connection string is not a usable Azure Storage connection string ({ex.Message.Split('\n')[0].Trim()}); "
                + "use 'UseDevelopmentStorage=true' for Azurite, or 'DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>;EndpointSuffix=core.windows.net'.", ex);
        }
    }

    /// <summary>Splits <c>container/prefix</c> (or <c>blob:container/prefix</c>) into its parts; <see cref="ArgumentException"/> when the container name is invalid.</summary>
    public static (string Container, string Prefix) ParseDestination(string destination)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var text = destination.StartsWith("blob:", StringComparison.OrdinalIgnoreCase) ? destination[5..] : destination;
        text = text.TrimStart('/');
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? text : text[..slash];
        var prefix = slash < 0 ? "" : text[(slash + 1)..];
        if (!IsValidContainerName(container))
        {
            throw new ArgumentException($"'{container}' in '{destination}' is not a blob container name (3–63 lower-case letters, digits and single hyphens); write <container>/<prefix>.", nameof(destination));
        }

        return (container, prefix);
    }

    /// <summary>Azure's container naming rule: 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static bool IsValidContainerName(string? container) =>
        container is { Length: >= 3 and <= 63 } && container[0] != '-' && container[^1] != '-'
        && !container.Contains("--", StringComparison.Ordinal) && container.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>The (file, blob name) pairs an upload of <paramref name="source"/> to <paramref name="prefix"/> makes, in upload order.</summary>
    public static IReadOnlyList<(string File, string BlobName)> Plan(string source, string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(prefix);
        var full = Path.GetFullPath(source);
        if (File.Exists(full))
        {
            var name = prefix.Length == 0 || prefix.EndsWith('/') ? prefix + Path.GetFileName(full) : prefix;
            return [(full, name)];
        }

        if (!Directory.Exists(full))
        {
            throw new FileNotFoundException($"'{source}' is neither a file nor a directory.", source);
        }

        var root = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        return [.. Directory.EnumerateFiles(full, "*", options)
            .Select(file => (File: file, Relative: Path.GetRelativePath(full, file).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => (f.File, root + f.Relative))];
    }

    /// <summary>
    /// Uploads <paramref name="source"/> (a file or a directory) to <paramref name="destination"/> (<c>container/prefix</c>).
    /// <paramref name="uploaded"/> hears of each finished file, <paramref name="bytes"/> of bytes sent as they go (both on
    /// the uploading threads).
    /// </summary>
    public async Task<IReadOnlyList<BlobUpload>> UploadAsync(
        string source, string destination, Action<BlobUpload>? uploaded = null, Action<long>? bytes = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelism, 1);
        var (container, prefix) = ParseDestination(destination);
        var plan = Plan(source, prefix);
        foreach (var (file, blob) in plan)
        {
            if (blob.Length > 1024)
            {
                throw new ArgumentException($"'{file}' would become blob '{blob}', longer than 1024 characters.", nameof(source));
            }
        }

        var containerClient = _service.GetBlobContainerClient(container);
        try
        {
            await containerClient.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (BlobTransferException.From(ex, $"Creating container '{container}' failed") is { } error)
        {
            throw error;
        }

        var files = Math.Max(1, Math.Min(MaxParallelism, plan.Count));
        var blocks = Math.Max(1, MaxParallelism / files);
        var results = new BlobUpload[plan.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, plan.Count),
            new ParallelOptions { MaxDegreeOfParallelism = files, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (file, blob) = plan[i];
                results[i] = await UploadFileAsync(containerClient.GetBlobClient(blob), file, blocks, bytes, ct).ConfigureAwait(false);
                uploaded?.Invoke(results[i]);
            }).ConfigureAwait(false);
        return results;
    }

    private async Task<BlobUpload> UploadFileAsync(BlobClient blob, string file, int blocks, Action<long>? bytes, CancellationToken cancellationToken)
    {
        var length = new FileInfo(file).Length;
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders
            {
                ContentType = "application/octet-stream",
                ContentHash = ComputeMd5 ? await HashAsync(file, cancellationToken).ConfigureAwait(false) : null,
            },
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = SingleShotBytes,
                MaximumTransferSize = BlockBytes,
                MaximumConcurrency = blocks,
            },
            TransferValidation = ComputeMd5 ? new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 } : null,
            Conditions = Overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        if (bytes is not null)
        {
            options.ProgressHandler = new Progress(bytes);
        }

        try
        {
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                await blob.UploadAsync(stream, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException ex) when (!Overwrite && (ex.Status is 409 or 412 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists))
        {
            throw new BlobTransferException($"Blob '{blob.BlobContainerName}/{blob.Name}' already exists (not overwritten); '{file}' was not uploaded.", ex.Status, ex);
        }
        catch (Exception ex) when (BlobTransferException.From(ex, $"Uploading '{file}' to '{blob.BlobContainerName}/{blob.Name}' failed") is { } error)
        {
            throw error;
        }

        return new BlobUpload(file, blob.BlobContainerName, blob.Name, length);
    }

    private static async Task<byte[]> HashAsync(string file, CancellationToken cancellationToken)
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
#pragma warning disable CA5351 // Content-MD5 is the service's integrity check, not a security measure
            return await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
#pragma warning restore CA5351
        }
    }

    /// <summary>
    /// Turns the SDK's running total per file into increments of the highest total seen (reported synchronously:
    /// <see cref="Progress{T}"/> would post). The total can start again from 0 (e.g. a retried request, or a stream read
    /// once for its checksum and once to send it): bytes are counted once.
    /// </summary>
    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        private readonly Lock _gate = new();
        private long _highest;

        public void Report(long value)
        {
            long delta;
            lock (_gate)
            {
                delta = value - _highest;
                if (delta <= 0)
                {
                    return;
                }

                _highest = value;
            }

            report(delta);
        }
    }
}

/// <summary>
/// A failed blob request, classified for exit codes: <see cref="Status"/> is the HTTP status, or null when the endpoint
/// could not be reached (after the SDK's retries).
/// </summary>
internal sealed class BlobTransferException : Exception
{
    public BlobTransferException(string message, int? status, Exception? innerException)
        : base(message, innerException) => Status = status;

    public BlobTransferException()
    {
    }

    public BlobTransferException(string message)
        : base(message)
    {
    }

    public BlobTransferException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int? Status { get; }

    /// <summary>The service refused the credentials (wrong account key or name, or a clock far off).</summary>
    public bool IsAuthorizationFailure => Status is 401 or 403;

    /// <summary>
    /// A <see cref="BlobTransferException"/> for a failure of the SDK (<see cref="RequestFailedException"/>, or the
    /// <see cref="AggregateException"/> it throws when every retry failed without an answer), or null for anything else.
    /// The message is the context and the service's own first line, status and error code (no headers, never a key).
    /// </summary>
    public static BlobTransferException? From(Exception exception, string context)
    {
        switch (exception)
        {
            case RequestFailedException { Status: > 0 } answered:
                return new BlobTransferException($"{context}: {FirstLine(answered.Message)} (HTTP {answered.Status}{(answered.ErrorCode is { Length: > 0 } code ? ", " + code : "")})",
                    answered.Status, answered);
            case RequestFailedException unanswered:
                return new BlobTransferException($"{context}: {Reason(unanswered)}", null, unanswered);
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnreachable):
                return new BlobTransferException($"{context}: {Reason(aggregate.InnerExceptions[^1])} (after {aggregate.InnerExceptions.Count} attempts)", null, aggregate);
            case HttpRequestException or SocketException:
                return new BlobTransferException($"{context}: {Reason(exception)}", null, exception);
            default:
                return null;
        }
    }

    private static bool IsUnreachable(Exception exception) =>
        exception is HttpRequestException or SocketException or TaskCanceledException or TimeoutException or IOException
        || (exception is RequestFailedException { Status: 0 });

    private static string Reason(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is not null && inner is RequestFailedException or AggregateException)
        {
            inner = inner.InnerException;
        }

        return FirstLine(inner.Message);
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
