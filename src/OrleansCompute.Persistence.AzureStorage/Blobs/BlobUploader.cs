using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace OrleansCompute.Blobs;

/// <summary>One file uploaded by <see cref="BlobUploader"/>.</summary>
internal readonly record struct BlobUpload(string File, string Container, string BlobName, long Bytes);

/// <summary>
/// Uploads a file or a directory tree to <c>container/prefix</c> (the work behind <c>ocx data upload</c>):
/// <list type="bullet">
/// <item>a file goes to the blob <c>prefix</c>, or to <c>prefix + file name</c> when the prefix is empty or ends with '/';</item>
/// <item>a directory's files go to <c>prefix/relative/path</c> ('/' separators; the directory's own name is not part of it),
/// symbolic links to directories are not followed (no cycles), files are sent in ordinal order of their relative path;</item>
/// <item>the container is created if missing; each file is one Put Blob (up to <see cref="BlobRestClient.MaxPutBlobBytes"/>)
/// with its length and, unless <see cref="ComputeMd5"/> is off, a Content-MD5 the service checks and stores;</item>
/// <item>at most <see cref="MaxParallelism"/> uploads run at once; a file is reopened for each retry;</item>
/// <item>with <see cref="Overwrite"/> off an existing blob is left alone and the upload fails naming it.</item>
/// </list>
/// Errors name the file and the blob; the first failure cancels the uploads not yet started.
/// </summary>
internal sealed class BlobUploader(BlobRestClient client)
{
    /// <summary>Uploads running at once. Default 4.</summary>
    public int MaxParallelism { get; init; } = 4;

    /// <summary>Send a Content-MD5 per file (the service verifies it). Default true.</summary>
    public bool ComputeMd5 { get; init; } = true;

    /// <summary>Replace existing blobs. Default true; when false an existing blob fails the upload.</summary>
    public bool Overwrite { get; init; } = true;

    /// <summary>Splits <c>container/prefix</c> (or <c>blob:container/prefix</c>) into its parts; <see cref="ArgumentException"/> when the container name is invalid.</summary>
    public static (string Container, string Prefix) ParseDestination(string destination)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var text = destination.StartsWith("blob:", StringComparison.OrdinalIgnoreCase) ? destination[5..] : destination;
        text = text.TrimStart('/');
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? text : text[..slash];
        var prefix = slash < 0 ? "" : text[(slash + 1)..];
        if (!BlobRestClient.IsValidContainerName(container))
        {
            throw new ArgumentException($"'{container}' in '{destination}' is not a blob container name (3–63 lower-case letters, digits and single hyphens); write <container>/<prefix>.", nameof(destination));
        }

        return (container, prefix);
    }

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

    /// <summary>Uploads <paramref name="source"/> (a file or a directory) to <paramref name="destination"/> (<c>container/prefix</c>).</summary>
    public async Task<IReadOnlyList<BlobUpload>> UploadAsync(string source, string destination, IProgress<BlobUpload>? progress = null, CancellationToken cancellationToken = default)
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

            var length = new FileInfo(file).Length;
            if (length > BlobRestClient.MaxPutBlobBytes)
            {
                throw new ArgumentException($"'{file}' has {length} bytes; one upload can hold at most {BlobRestClient.MaxPutBlobBytes} bytes.", nameof(source));
            }
        }

        await client.CreateContainerIfNotExistsAsync(container, cancellationToken).ConfigureAwait(false);
        var results = new BlobUpload[plan.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, plan.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (file, blob) = plan[i];
                results[i] = await UploadFileAsync(file, container, blob, ct).ConfigureAwait(false);
                progress?.Report(results[i]);
            }).ConfigureAwait(false);
        return results;
    }

    private async Task<BlobUpload> UploadFileAsync(string file, string container, string blob, CancellationToken cancellationToken)
    {
        var length = new FileInfo(file).Length;
        var md5 = ComputeMd5 ? await HashAsync(file, cancellationToken).ConfigureAwait(false) : null;
        try
        {
            await client.PutBlobAsync(container, blob, () =>
            {
                var content = new StreamContent(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
                content.Headers.ContentLength = length;
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                if (md5 is not null)
                {
                    content.Headers.ContentMD5 = md5;
                }

                return content;
            }, ifNoneMatchAny: !Overwrite, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (BlobRequestException ex) when (!Overwrite && ex.Status is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.PreconditionFailed)
        {
            throw new BlobRequestException($"Blob '{container}/{blob}' already exists (not overwritten); '{file}' was not uploaded.", ex.Status, ex.ErrorCode, ex);
        }
        catch (BlobRequestException ex)
        {
            throw new BlobRequestException($"Uploading '{file}' to '{container}/{blob}' failed: {ex.Message}", ex.Status, ex.ErrorCode, ex);
        }

        return new BlobUpload(file, container, blob, length);
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
}
