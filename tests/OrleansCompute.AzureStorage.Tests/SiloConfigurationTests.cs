using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using OrleansCompute.Silo;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>
/// The silo's storage provider selection (<c>OrleansCompute:Storage</c>) and blob input account
/// (<c>OrleansCompute:Compute:Blob</c>): settings that cannot work are refused with the setting named, and state the
/// silo executable writes through Orleans's Azure Blob grain storage survives a kill -9 and a restart.
/// </summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class SiloConfigurationTests(AzuriteServerFixture azurite)
{
    private static IConfiguration Settings(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create("OrleansCompute:" + s.Key, s.Value))).Build();

    [Fact]
    public void Azureblob_with_a_usable_connection_string_is_valid_standalone_and_in_a_redis_cluster()
    {
        Assert.Null(SiloConfiguration.Validate(Settings(("Storage:Provider", "azureblob"), ("Storage:ConnectionString", "UseDevelopmentStorage=true"))));
        Assert.Null(SiloConfiguration.Validate(Settings(("Storage:Provider", "azureblob"), ("Storage:ConnectionString", azurite.ConnectionString),
            ("Clustering:Provider", "redis"), ("Clustering:ConnectionString", "127.0.0.1:6379"))));
        Assert.Contains("azureblob", StorageSettings.Providers);
    }

    [Theory]
    [InlineData(null, "grainstate", "OrleansCompute:Storage:ConnectionString must be an Azure Storage connection string")]
    [InlineData("AccountName=acct", "grainstate", "OrleansCompute:Storage:ConnectionString (azureblob) is not a valid Azure Storage connection string")]
    [InlineData("UseDevelopmentStorage=true", "Bad_Container", "OrleansCompute:Storage:ContainerName must be a blob container name")]
    public void Azureblob_settings_that_cannot_work_are_refused_with_the_setting_named(string? connectionString, string container, string expected)
    {
        var problem = SiloConfiguration.Validate(Settings(("Storage:Provider", "azureblob"), ("Storage:ConnectionString", connectionString), ("Storage:ContainerName", container)));

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_lists_the_choices_and_a_per_silo_store_is_refused_in_a_cluster()
    {
        Assert.Contains("sqlite, memory, redis, azureblob", SiloConfiguration.Validate(Settings(("Storage:Provider", "s3"))), StringComparison.Ordinal);
        Assert.Contains("must be redis or azureblob when silos form a cluster", SiloConfiguration.Validate(Settings(
            ("Storage:Provider", "sqlite"), ("Clustering:Provider", "redis"), ("Clustering:ConnectionString", "127.0.0.1:6379"))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Compute:Jobs:FileOpenCostBytes", "0", "OrleansCompute:Compute:Jobs:FileOpenCostBytes must be between 1 and")]
    [InlineData("Compute:Jobs:FileOpenCostBytes", "lots", "OrleansCompute:Compute:Jobs:")]
    [InlineData("Compute:Jobs:AggregatorCount", "0", "OrleansCompute:Compute:Jobs:AggregatorCount must be at least 1")]
    [InlineData("Compute:Jobs:MinSplitBytes", "10", "OrleansCompute:Compute:Jobs:MinSplitBytes must be at least 1024")]
    [InlineData("Compute:IdleMemoryTrim", "-00:00:01", "OrleansCompute:Compute:IdleMemoryTrim must be a non-negative time span")]
    [InlineData("Compute:IdleMemoryTrim", "soon", "OrleansCompute:Compute:IdleMemoryTrim must be a non-negative time span")]
    public void Unusable_compute_settings_are_refused_at_start_with_the_setting_named(string key, string value, string problem)
    {
        Assert.StartsWith(problem, SiloConfiguration.Validate(Settings((key, value))), StringComparison.Ordinal);
        Assert.Null(SiloConfiguration.Validate(Settings(("Compute:Jobs:FileOpenCostBytes", "16384"), ("Compute:IdleMemoryTrim", "00:00:00"))));
    }

    [Fact]
    public void Blob_inputs_are_configured_only_when_a_connection_string_is_given_and_a_bad_one_is_reported_without_the_key()
    {
        var none = SiloConfiguration.BlobInputs(Settings());
        var configured = SiloConfiguration.BlobInputs(Settings(("Compute:Blob:ConnectionString", "UseDevelopmentStorage=true")));
        var bad = SiloConfiguration.BlobInputs(Settings(("Compute:Blob:ConnectionString", "AccountName=acct;AccountKey=***")));

        Assert.Null(none);
        Assert.NotNull(configured);
        Assert.Null(SiloConfiguration.ValidateBlobInputs(configured));
        Assert.Null(SiloConfiguration.Validate(Settings(("Compute:Blob:ConnectionString", azurite.ConnectionString))));
        var problem = SiloConfiguration.ValidateBlobInputs(bad);
        Assert.StartsWith("OrleansCompute:Compute:Blob: ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("***", problem, StringComparison.Ordinal);
        Assert.Equal(problem, SiloConfiguration.Validate(Settings(("Compute:Blob:ConnectionString", "AccountName=acct;AccountKey=***"))));
    }

    [Theory]
    [InlineData("--OrleansCompute:Storage:ConnectionString=", "OrleansCompute:Storage:ConnectionString must be an Azure Storage connection string")]
    [InlineData("--OrleansCompute:Storage:ContainerName=Bad_Container", "OrleansCompute:Storage:ContainerName must be a blob container name")]
    public async Task The_silo_executable_refuses_azureblob_settings_that_cannot_work_with_exit_code_2(string setting, string expected)
    {
        var ports = LoopbackPorts.Allocate(3);
        await using var silo = HostProcess.Start("silo", HostProcess.SiloDll, Path.GetTempPath(),
            "--OrleansCompute:Storage:Provider=azureblob", $"--OrleansCompute:Storage:ConnectionString={azurite.ConnectionString}", setting,
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}", $"--OrleansCompute:Endpoints:SiloPort={ports[1]}", $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}");

        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains(expected, silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_written_through_azureblob_storage_survives_a_kill_and_a_restart_of_the_silo()
    {
        var container = "restart" + Guid.NewGuid().ToString("N")[..12];
        var dataset = "survive-" + Guid.NewGuid().ToString("N")[..6];
        var events = new StringContent("""[{"key":"a","values":{"v":2}},{"key":"a","values":{"v":5}},{"key":"b"}]""", Encoding.UTF8, "application/json");

        await using (var silo = await StartAsync(container))
        {
            using var ingest = await silo.Http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence=1", events);
            Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
            Assert.Equal(3, JsonDocument.Parse(await ingest.Content.ReadAsStringAsync()).RootElement.GetProperty("applied").GetInt32());
            await silo.Process.KillAsync(); // kill -9: only what the storage acknowledged is left
        }

        await using (var again = await StartAsync(container))
        {
            var key = JsonDocument.Parse(await again.Http.GetStringAsync($"/api/datasets/{dataset}/keys/a")).RootElement;
            Assert.Equal(2, key.GetProperty("events").GetInt64());
            Assert.Equal(7, key.GetProperty("values").GetProperty("v").GetProperty("sum").GetDouble());

            // The same batch again is recognised as a duplicate: the producer's sequence survived too.
            using var resend = await again.Http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence=1",
                new StringContent("""[{"key":"a","values":{"v":2}},{"key":"a","values":{"v":5}},{"key":"b"}]""", Encoding.UTF8, "application/json"));
            Assert.Equal(3, JsonDocument.Parse(await resend.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicates").GetInt32());
        }
    }

    /// <summary>The silo executable, embedded (localhost clustering) on free ports, its grain state in <paramref name="container"/> on Azurite.</summary>
    private async Task<RunningSilo> StartAsync(string container)
    {
        var ports = LoopbackPorts.Allocate(3);
        var process = HostProcess.Start("silo", HostProcess.SiloDll, Path.GetTempPath(),
            "--OrleansCompute:Storage:Provider=azureblob",
            $"--OrleansCompute:Storage:ConnectionString={azurite.ConnectionString}",
            $"--OrleansCompute:Storage:ContainerName={container}",
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}",
            $"--OrleansCompute:Endpoints:SiloPort={ports[1]}",
            $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}");
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await process.WaitForReadyAsync(http, TimeSpan.FromSeconds(90));
        }
        catch
        {
            http.Dispose();
            await process.DisposeAsync();
            throw;
        }

        return new RunningSilo(process, http);
    }

    private sealed record RunningSilo(HostProcess Process, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Process.DisposeAsync();
        }
    }
}
