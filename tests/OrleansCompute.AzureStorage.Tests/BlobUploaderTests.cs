using System.Net;
using System.Security.Cryptography;
using OrleansCompute.Blobs;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>The upload behind <c>ocx data upload</c>, against Azurite.</summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class BlobUploaderTests(AzuriteServerFixture azurite) : IDisposable
{
    private readonly TestData _data = new();
    private readonly string _container = "up" + Guid.NewGuid().ToString("N")[..16];

    public void Dispose() => _data.Dispose();

    private BlobRestClient Client() => new(BlobConnectionString.Parse(azurite.ConnectionString));

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
            var path = Path.Combine(_data.Root, "tree", name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        using var client = Client();
        var reported = new List<BlobUpload>();
        var uploads = await new BlobUploader(client) { MaxParallelism = 2 }
            .UploadAsync(Path.Combine(_data.Root, "tree"), $"{_container}/data/v1", new SyncProgress(reported));

        Assert.Equal(["data/v1/a.txt", "data/v1/empty.txt", "data/v1/sub/b.csv", "data/v1/sub/deeper/c d.bin"], uploads.Select(u => u.BlobName));
        Assert.Equal(4, reported.Count);
        var listed = await client.ListBlobsAsync(_container, "data/v1/");
        Assert.Equal(uploads.Select(u => u.BlobName), listed.Select(b => b.Name));
        foreach (var (name, bytes) in files)
        {
            var blob = await client.GetBlobAsync(_container, "data/v1/" + name);
            Assert.Equal(bytes, blob!.Value.Data);
        }
    }

    [Fact]
    public async Task A_file_goes_to_the_named_blob_or_under_a_prefix_ending_in_a_slash()
    {
        var file = _data.Write("one.txt", "one\n");
        using var client = Client();
        var uploader = new BlobUploader(client);

        Assert.Equal("exact/name.txt", Assert.Single(await uploader.UploadAsync(file, $"blob:{_container}/exact/name.txt")).BlobName);
        Assert.Equal("folder/one.txt", Assert.Single(await uploader.UploadAsync(file, $"{_container}/folder/")).BlobName);
        Assert.Equal("one.txt", Assert.Single(await uploader.UploadAsync(file, _container)).BlobName);
        Assert.Equal("one\n"u8.ToArray(), (await client.GetBlobAsync(_container, "exact/name.txt"))!.Value.Data);
    }

    [Fact]
    public async Task Without_overwrite_an_existing_blob_is_kept_and_the_error_names_it()
    {
        var file = _data.Write("v.txt", "new\n");
        using var client = Client();
        await client.CreateContainerIfNotExistsAsync(_container);
        await client.PutBlobAsync(_container, "keep/v.txt", "old\n"u8.ToArray());

        var error = await Assert.ThrowsAsync<BlobRequestException>(() => new BlobUploader(client) { Overwrite = false }.UploadAsync(file, $"{_container}/keep/"));

        Assert.Contains($"'{_container}/keep/v.txt' already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal("old\n"u8.ToArray(), (await client.GetBlobAsync(_container, "keep/v.txt"))!.Value.Data);
        await new BlobUploader(client).UploadAsync(file, $"{_container}/keep/");
        Assert.Equal("new\n"u8.ToArray(), (await client.GetBlobAsync(_container, "keep/v.txt"))!.Value.Data);
    }

    [Fact]
    public async Task The_service_checks_the_content_md5_the_uploader_sends()
    {
        // A wrong Content-MD5 is refused by the service: proof that the header is sent and checked.
        var file = _data.Write("m.txt", "payload\n");
        using var client = Client();
        await client.CreateContainerIfNotExistsAsync(_container);

        var error = await Assert.ThrowsAsync<BlobRequestException>(() => client.PutBlobAsync(_container, "m.txt", () =>
        {
            var content = new ByteArrayContent(File.ReadAllBytes(file));
            content.Headers.ContentMD5 = new byte[16];
            return content;
        }));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("Md5Mismatch", error.ErrorCode);

        await new BlobUploader(client) { ComputeMd5 = true }.UploadAsync(file, $"{_container}/m.txt");
        Assert.Equal("payload\n"u8.ToArray(), (await client.GetBlobAsync(_container, "m.txt"))!.Value.Data);
    }

    [Theory]
    [InlineData("Bad_Container/x", "not a blob container name")]
    [InlineData("ab/x", "not a blob container name")]
    public void Bad_destinations_are_refused(string destination, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => BlobUploader.ParseDestination(destination));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_source_is_refused_before_anything_is_sent()
    {
        using var client = Client();

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => new BlobUploader(client).UploadAsync(Path.Combine(_data.Root, "nope"), $"{_container}/x"));

        Assert.Contains("neither a file nor a directory", error.Message, StringComparison.Ordinal);
        Assert.Empty(await ListContainers(client));
    }

    private async Task<IReadOnlyList<BlobItem>> ListContainers(BlobRestClient client)
    {
        try
        {
            return await client.ListBlobsAsync(_container, null);
        }
        catch (BlobRequestException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return []; // the container was not even created
        }
    }

    private sealed class SyncProgress(List<BlobUpload> into) : IProgress<BlobUpload>
    {
        public void Report(BlobUpload value)
        {
            lock (into)
            {
                into.Add(value);
            }
        }
    }
}
