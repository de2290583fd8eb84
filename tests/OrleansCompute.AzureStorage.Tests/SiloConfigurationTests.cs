using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Silo;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>The silo's storage provider selection (<c>OrleansCompute:Storage</c>) and blob input account (<c>OrleansCompute:Compute:Blob</c>).</summary>
public sealed class SiloConfigurationTests
{
    private static readonly ClusteringSettings s_localhost = new();

    [Fact]
    public void Azureblob_with_a_usable_connection_string_is_valid_standalone_and_in_a_redis_cluster()
    {
        var settings = new StorageSettings { Provider = "azureblob", ConnectionString = "UseDevelopmentStorage=true" };

        Assert.Null(SiloConfiguration.Validate(settings, s_localhost));
        Assert.Null(SiloConfiguration.Validate(settings, new ClusteringSettings { Provider = "redis", ConnectionString = "127.0.0.1:6379" }));
        Assert.Contains("azureblob", StorageSettings.Providers);
    }

    [Theory]
    [InlineData(null, "grainstate", "OrleansCompute:Storage:ConnectionString must be an Azure Storage connection string")]
    [InlineData("AccountName=acct", "grainstate", "no AccountKey")]
    [InlineData("UseDevelopmentStorage=true", "Bad_Container", "not a container name")]
    public void Azureblob_settings_that_cannot_work_are_refused_with_the_setting_named(string? connectionString, string container, string expected)
    {
        var problem = SiloConfiguration.Validate(new StorageSettings { Provider = "azureblob", ConnectionString = connectionString, ContainerName = container }, s_localhost);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_lists_the_choices()
    {
        var problem = SiloConfiguration.Validate(new StorageSettings { Provider = "s3" }, s_localhost);

        Assert.Contains("sqlite, memory, redis, azureblob", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Blob_inputs_are_registered_only_when_configured_and_a_bad_connection_string_is_reported()
    {
        var none = SiloConfiguration.BlobInputs(new ConfigurationBuilder().Build());
        var configured = SiloConfiguration.BlobInputs(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OrleansCompute:Compute:Blob:ConnectionString"] = "UseDevelopmentStorage=true" })
            .Build());
        var bad = SiloConfiguration.BlobInputs(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OrleansCompute:Compute:Blob:ConnectionString"] = "AccountName=acct;AccountKey=***" })
            .Build());

        Assert.Null(none);
        Assert.NotNull(configured);
        Assert.Null(SiloConfiguration.ValidateBlobInputs(configured));
        var problem = SiloConfiguration.ValidateBlobInputs(bad);
        Assert.StartsWith("OrleansCompute:Compute:Blob: ", problem, StringComparison.Ordinal);
        Assert.Contains("not valid base64", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("***", problem, StringComparison.Ordinal);

        var services = new ServiceCollection();
        SiloConfiguration.ConfigureComputeInputs(services, none);
        Assert.Empty(services.BuildServiceProvider().GetServices<IInputSource>());
        SiloConfiguration.ConfigureComputeInputs(services, configured);
        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<IInputSource>());
    }
}
