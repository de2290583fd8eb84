using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansCompute.Blobs;
using OrleansCompute.Hosting;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary><c>AddAzureBlobGrainStorage</c>: keyed registration, start-up validation and the container created at start.</summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class RegistrationTests(AzuriteServerFixture azurite)
{
    [Fact]
    public async Task The_default_provider_creates_its_container_at_start_and_stores_state_there()
    {
        var container = "reg" + Guid.NewGuid().ToString("N")[..12];
        var services = new ServiceCollection().AddAzureBlobGrainStorageAsDefault(o =>
        {
            o.ConnectionString = azurite.ConnectionString;
            o.ContainerName = container;
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        await Assert.Single(provider.GetServices<IHostedService>()).StartAsync(CancellationToken.None);

        using var client = new BlobRestClient(BlobConnectionString.Parse(azurite.ConnectionString));
        Assert.Empty(await client.ListBlobsAsync(container, null)); // exists (a missing container would be 404), still empty
        var storage = Assert.IsType<AzureBlobGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName));
        await storage.WriteStateAsync("s", new GrainId("g", "1"), new GrainState<int>(7));
        Assert.Single(await client.ListBlobsAsync(container, null));
    }

    [Fact]
    public async Task A_missing_connection_string_fails_start_up_validation_naming_the_setting()
    {
        var services = new ServiceCollection().AddAzureBlobGrainStorage("orders", _ => { });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("AzureBlobGrainStorageOptions.ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_fails_host_start_with_the_authorization_error()
    {
        var services = new ServiceCollection().AddAzureBlobGrainStorageAsDefault(o =>
        {
            o.ConnectionString = $"AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint={azurite.Server.BlobEndpoint}";
            o.ContainerName = "never-created";
        });
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Assert.Single(provider.GetServices<IHostedService>()).StartAsync(CancellationToken.None));

        Assert.Contains("could not prepare container 'never-created'", error.Message, StringComparison.Ordinal);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Contains("check AccountName and AccountKey", error.Message, StringComparison.Ordinal);
    }
}
