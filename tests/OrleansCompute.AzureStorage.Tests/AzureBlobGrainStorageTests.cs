using OrleansCompute.Blobs;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>Provider behaviour beyond the shared conformance suite (which runs in OrleansCompute.Persistence.Tests), on a real Azurite.</summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class AzureBlobGrainStorageTests(AzuriteServerFixture azurite)
{
    private static string NewContainer() => "c" + Guid.NewGuid().ToString("N")[..20];

    private AzureBlobGrainStorage Create(string container, string? connectionString = null, int maxAttempts = 4) => new(
        "azure-tests",
        new AzureBlobGrainStorageOptions
        {
            ConnectionString = connectionString ?? azurite.ConnectionString,
            ContainerName = container,
            MaxAttempts = maxAttempts,
            InitialRetryDelay = TimeSpan.FromMilliseconds(20),
            AttemptTimeout = TimeSpan.FromSeconds(5),
        },
        "svc",
        new JsonGrainStorageSerializer());

    [Fact]
    public async Task The_container_is_created_on_first_use_and_each_state_is_one_blob_with_an_escaped_name()
    {
        var container = NewContainer();
        using var storage = Create(container);
        var grainId = new GrainId("user", "a/b c.ü");

        await storage.WriteStateAsync("profile", grainId, new GrainState<int>(42));

        using var client = new BlobRestClient(BlobConnectionString.Parse(azurite.ConnectionString));
        var blobs = await client.ListBlobsAsync(container, null);
        var blob = Assert.Single(blobs);
        Assert.Equal("svc/profile/user/a~2Fb~20c~2E~C3~BC", blob.Name);
        Assert.Equal(storage.BlobName("profile", grainId), blob.Name);
        var content = await client.GetBlobAsync(container, blob.Name);
        Assert.Equal("42", System.Text.Encoding.UTF8.GetString(content!.Value.Data));
    }

    [Fact]
    public async Task A_wrong_account_key_fails_plainly_with_the_service_error_code_and_never_shows_the_key()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var connectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={wrongKey};BlobEndpoint={azurite.Server.BlobEndpoint}";
        using var storage = Create(NewContainer(), connectionString);

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => storage.ReadStateAsync("s", new GrainId("g", "1"), new GrainState<int>(0)));

        var inner = Assert.IsType<BlobRequestException>(error.InnerException);
        Assert.True(inner.IsAuthorizationFailure);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Contains(inner.ErrorCode!, error.Message, StringComparison.Ordinal);
        Assert.Contains("check AccountName and AccountKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azurite_accepts_the_signed_requests_of_every_operation()
    {
        var container = NewContainer();
        using var client = new BlobRestClient(BlobConnectionString.Parse(azurite.ConnectionString));

        Assert.True(await client.CreateContainerIfNotExistsAsync(container));
        Assert.False(await client.CreateContainerIfNotExistsAsync(container));
        var etag = await client.PutBlobAsync(container, "dir/x y+z%.txt", "0123456789"u8.ToArray(), ifNoneMatchAny: true);
        Assert.Equal(etag, (await client.GetPropertiesAsync(container, "dir/x y+z%.txt"))!.Value.ETag);
        var buffer = new byte[4];
        Assert.Equal(4, client.ReadRange(container, "dir/x y+z%.txt", 3, buffer));
        Assert.Equal("3456"u8.ToArray(), buffer);
        Assert.Equal(2, client.ReadRange(container, "dir/x y+z%.txt", 8, buffer));
        Assert.Equal(0, client.ReadRange(container, "dir/x y+z%.txt", 10, buffer));
        var listed = await client.ListBlobsAsync(container, "dir/x y");
        Assert.Equal("dir/x y+z%.txt", Assert.Single(listed).Name);
        Assert.Equal(10, listed[0].Length);
        var stale = await Assert.ThrowsAsync<BlobRequestException>(() => client.DeleteBlobAsync(container, "dir/x y+z%.txt", "\"0x1234\""));
        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.True(await client.DeleteBlobAsync(container, "dir/x y+z%.txt", etag));
        Assert.Null(await client.GetBlobAsync(container, "dir/x y+z%.txt"));
    }

    [Fact]
    public async Task Listing_follows_continuation_markers()
    {
        var container = NewContainer();
        using var client = new BlobRestClient(BlobConnectionString.Parse(azurite.ConnectionString)) { ListPageSize = 7 };
        await client.CreateContainerIfNotExistsAsync(container);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => client.PutBlobAsync(container, $"p/{i:D3}", new byte[] { (byte)i })));
        await client.PutBlobAsync(container, "q/other", new byte[] { 1 });

        var listed = await client.ListBlobsAsync(container, "p/");

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"p/{i:D3}"), listed.Select(b => b.Name));
        Assert.All(listed, b => Assert.Equal(1, b.Length));
    }

    [Fact]
    public async Task A_stopped_service_gives_a_storage_error_after_bounded_retries()
    {
        await using var own = await AzuriteServer.StartAsync();
        using var storage = Create(NewContainer(), own.ConnectionString, maxAttempts: 3);
        var grainId = new GrainId("g", Guid.NewGuid().ToString("N"));
        var state = new GrainState<int>(1);
        await storage.WriteStateAsync("s", grainId, state);
        own.Kill();

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => storage.ReadStateAsync("s", grainId, new GrainState<int>(0)));

        Assert.Contains("after 3 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", error.Message, StringComparison.Ordinal);
        Assert.IsType<BlobRequestException>(error.InnerException);
    }
}
