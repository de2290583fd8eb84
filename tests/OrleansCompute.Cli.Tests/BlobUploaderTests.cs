using System.Security.Cryptography;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using OrleansCompute.Cli.Blobs;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Cli.Tests;

/// <summary>The upload behind <c>ocx data upload</c> (the Azure SDK's <see cref="BlobClient.UploadAsync(Stream, BlobUploadOptions, CancellationToken)"/>), against Azurite.</summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class BlobUploaderTests(AzuriteServerFixture azurite) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ocx-uploader-").FullName;
    private readonly string _container = "up" + Guid.NewGuid().ToString("N")[..16];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private BlobUploader Uploader(bool overwrite = true, int parallelism = 4) =>
        new(BlobUploader.CreateService(azurite.ConnectionString)) { Overwrite = overwrite, MaxParallelism = parallelism };

    private BlobContainerClient Container() => new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container);

    private async Task<byte[]> Download(string blob) => (await Container().GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToArray();

    private string Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task A_directory_tree_is_uploaded_under_the_prefix_with_relative_paths_and_identical_bytes()
    {
        var files = new Dictionary<string, byte[]>
        {
            ["a.txt"] = "alpha\n"u8.ToArray(),
            ["sub/b.csv"] = "x,y\n1,2\n"u8.ToArray(),
            ["sub/deeper/c d.bin"] = RandomNumberGenerator.GetBytes(300_000),
            ["empty.txt"] = [],
        };
        foreach (var (name, bytes) in files)
        {
            Write(Path.Combine("tree", name), bytes);
        }

        var reported = new List<BlobUpload>();
        long sent = 0;
        var uploads = await Uploader(parallelism: 2).UploadAsync(Path.Combine(_root, "tree"), $"{_container}/data/v1",
            uploaded: u =>
            {
                lock (reported)
                {
                    reported.Add(u);
                }
            },
            bytes: b => Interlocked.Add(ref sent, b));

        Assert.Equal(["data/v1/a.txt", "data/v1/empty.txt", "data/v1/sub/b.csv", "data/v1/sub/deeper/c d.bin"], uploads.Select(u => u.BlobName));
        Assert.Equal(4, reported.Count);
        Assert.Equal(files.Values.Sum(b => (long)b.Length), Interlocked.Read(ref sent));
        var listed = new List<string>();
        await foreach (var item in Container().GetBlobsAsync(BlobTraits.None, BlobStates.None, "data/v1/", CancellationToken.None))
        {
            listed.Add(item.Name);
        }

        Assert.Equal(uploads.Select(u => u.BlobName), listed);
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, await Download("data/v1/" + name));
        }
    }

    [Fact]
    public async Task A_file_goes_to_the_named_blob_or_under_a_prefix_ending_in_a_slash()
    {
        var file = Write("one.txt", "one\n"u8.ToArray());
        var uploader = Uploader();

        Assert.Equal("exact/name.txt", Assert.Single(await uploader.UploadAsync(file, $"blob:{_container}/exact/name.txt")).BlobName);
        Assert.Equal("folder/one.txt", Assert.Single(await uploader.UploadAsync(file, $"{_container}/folder/")).BlobName);
        Assert.Equal("one.txt", Assert.Single(await uploader.UploadAsync(file, _container)).BlobName);
        Assert.Equal("one\n"u8.ToArray(), await Download("exact/name.txt"));
    }

    [Fact]
    public async Task Without_overwrite_an_existing_blob_is_kept_and_the_error_names_it()
    {
        var file = Write("v.txt", "new\n"u8.ToArray());
        await Container().CreateIfNotExistsAsync();
        await Container().GetBlobClient("keep/v.txt").UploadAsync(BinaryData.FromBytes("old\n"u8.ToArray()));

        var error = await Assert.ThrowsAsync<BlobTransferException>(() => Uploader(overwrite: false).UploadAsync(file, $"{_container}/keep/"));

        Assert.Contains($"'{_container}/keep/v.txt' already exists", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsAuthorizationFailure);
        Assert.Equal("old\n"u8.ToArray(), await Download("keep/v.txt"));
        await Uploader().UploadAsync(file, $"{_container}/keep/");
        Assert.Equal("new\n"u8.ToArray(), await Download("keep/v.txt"));
    }

    [Fact]
    public async Task The_service_checks_the_md5_and_the_uploader_stores_the_files()
    {
        // A wrong transactional MD5 is refused by the service: the check the uploader relies on is real.
        var file = Write("m.txt", "payload\n"u8.ToArray());
        await Container().CreateIfNotExistsAsync();
        var block = Container().GetBlockBlobClient("m.txt");
        var wrong = await Assert.ThrowsAsync<RequestFailedException>(() => block.StageBlockAsync(
            Convert.ToBase64String("block-1"u8),
            new MemoryStream(File.ReadAllBytes(file)),
            new BlockBlobStageBlockOptions
            {
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5, PrecalculatedChecksum = new byte[16] },
            }));
        Assert.Equal(400, wrong.Status);
        Assert.Equal("Md5Mismatch", wrong.ErrorCode);

        await Uploader().UploadAsync(file, $"{_container}/m.txt");
        Assert.Equal("payload\n"u8.ToArray(), await Download("m.txt"));
#pragma warning disable CA5351 // Content-MD5 is the service's integrity check, not a security measure
        Assert.Equal(MD5.HashData("payload\n"u8.ToArray()), (await Container().GetBlobClient("m.txt").GetPropertiesAsync()).Value.ContentHash);
#pragma warning restore CA5351
    }

    [Theory]
    [InlineData("Bad_Container/x", "not a blob container name")]
    [InlineData("ab/x", "not a blob container name")]
    [InlineData("a--b/x", "not a blob container name")]
    public void Bad_destinations_are_refused(string destination, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => BlobUploader.ParseDestination(destination));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_source_is_refused_before_anything_is_sent()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => Uploader().UploadAsync(Path.Combine(_root, "nope"), $"{_container}/x"));

        Assert.Contains("neither a file nor a directory", error.Message, StringComparison.Ordinal);
        Assert.False(await Container().ExistsAsync()); // the container was not even created
    }

    [Theory]
    [InlineData("not a connection string")]
    [InlineData("AccountName=acct;AccountKey=not-base64!")]
    public void Unusable_connection_strings_are_refused_without_repeating_the_key(string connectionString)
    {
        var error = Assert.Throws<FormatException>(() => BlobUploader.CreateService(connectionString));

        Assert.Contains("not a usable Azure Storage connection string", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-base64!", error.Message, StringComparison.Ordinal);
    }
}
