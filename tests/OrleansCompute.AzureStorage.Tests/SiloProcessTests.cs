using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>
/// Real silo processes configured only by settings: two silos clustered through Redis (Orleans's Redis clustering) keep
/// grain state in Azurite (<c>Storage:Provider=azureblob</c>: Orleans's Azure Blob grain storage) and read job inputs
/// from it (<c>Compute:Blob:ConnectionString</c>); the job is driven through the first silo's HTTP API.
/// </summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class SiloProcessTests(AzuriteServerFixture azurite)
{
    [Fact]
    public async Task Silos_switched_to_azureblob_state_by_one_setting_run_a_job_over_blob_inputs_and_keep_its_state_in_blobs()
    {
        await using var redis = await RedisServer.StartAsync();
        using var data = new TestData();
        var rng = new Random(21);
        var texts = Enumerable.Range(0, 2).Select(_ => TestData.Text(rng, 3000)).ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            data.Write($"in/part-{i}.txt", texts[i]);
        }

        var inputs = "proc" + Guid.NewGuid().ToString("N")[..12];
        var state = "state" + Guid.NewGuid().ToString("N")[..12];
        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(data.Root, "in"), $"{inputs}/in/");
        var clusterId = "az-" + Guid.NewGuid().ToString("N")[..6];
        var ports = LoopbackPorts.Allocate(5); // API of silo 1, then silo and gateway ports of both
        string[] Settings(string name, int siloPort, int gatewayPort) =>
        [
            "--OrleansCompute:Clustering:Provider=redis",
            $"--OrleansCompute:Clustering:ConnectionString={redis.ConnectionString}",
            "--OrleansCompute:Storage:Provider=azureblob",
            $"--OrleansCompute:Storage:ConnectionString={azurite.ConnectionString}",
            $"--OrleansCompute:Storage:ContainerName={state}",
            $"--OrleansCompute:Compute:Blob:ConnectionString={azurite.ConnectionString}",
            $"--OrleansCompute:Silo:ClusterId={clusterId}",
            $"--OrleansCompute:Silo:SiloName={name}",
            "--OrleansCompute:Endpoints:AdvertisedAddress=127.0.0.1",
            $"--OrleansCompute:Endpoints:SiloPort={siloPort}",
            $"--OrleansCompute:Endpoints:GatewayPort={gatewayPort}",
        ];
        await using var first = HostProcess.Start("azsilo1", HostProcess.SiloDll, data.Root,
            [.. Settings("azsilo1", ports[1], ports[2]), $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}"]);
        await using var second = HostProcess.Start("azsilo2", HostProcess.SiloDll, data.Root,
            [.. Settings("azsilo2", ports[3], ports[4]), "--OrleansCompute:Api:Enabled=false"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(30) };
        await first.WaitForReadyAsync(http, TimeSpan.FromSeconds(90), second);
        await Until(async () => JsonDocument.Parse(await http.GetStringAsync("/api/cluster")).RootElement.GetProperty("silos").EnumerateArray()
            .Count(s => s.GetProperty("status").GetString() == "active") == 2, TimeSpan.FromSeconds(60), "both silos to be active", first, second);

        using var submit = await http.PostAsync("/api/jobs", new StringContent(
            $$$"""{"id":"blob-wc","kind":"word-count","input":{"path":"blob:{{{inputs}}}/in/","splitBytes":4096}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(submit.StatusCode == HttpStatusCode.Accepted, await submit.Content.ReadAsStringAsync());
        var status = default(JsonElement);
        await Until(async () =>
        {
            status = JsonDocument.Parse(await http.GetStringAsync("/api/jobs/blob-wc")).RootElement;
            return status.GetProperty("state").GetString() is not ("queued" or "running");
        }, TimeSpan.FromSeconds(120), "the job to finish", first, second);

        Assert.True(status.GetProperty("state").GetString() == "completed", $"{status}\n{first.Output}");
        Assert.True(status.GetProperty("splitsTotal").GetInt32() > 2, status.ToString());
        var result = JsonDocument.Parse(await http.GetStringAsync("/api/jobs/blob-wc/result")).RootElement.GetProperty("wordCount");
        var words = result.GetProperty("words").EnumerateArray().ToDictionary(w => w.GetProperty("word").GetString()!, w => w.GetProperty("count").GetInt64());
        Assert.Equal(TestData.ReferenceWordCount(texts).OrderBy(p => p.Key, StringComparer.Ordinal), words.OrderBy(p => p.Key, StringComparer.Ordinal));

        // The job grain's state went to the state container in Azurite (Orleans's Azure Blob grain storage).
        var stored = new List<string>();
        await foreach (var blob in new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(state)
            .GetBlobsAsync(BlobTraits.None, BlobStates.None, null, CancellationToken.None))
        {
            stored.Add(blob.Name);
        }

        Assert.Contains(stored, name => name.Contains("blob-wc", StringComparison.Ordinal));
    }

    /// <summary>Checks <paramref name="condition"/> every 200 ms until it holds; fails with the silos' output when one exits or time runs out.</summary>
    internal static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, params HostProcess[] silos)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (silos.FirstOrDefault(s => s.HasExited) is { } exited)
            {
                Assert.Fail($"{exited.Name} exited while waiting for {what}:\n{exited.Output}");
            }

            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // a silo between requests: ask again
            }

            Assert.True(DateTime.UtcNow < deadline, $"Waited {timeout.TotalSeconds:0} s for {what}.\n{string.Join("\n", silos.Select(s => $"--- {s.Name}\n{s.Output}"))}");
            await Task.Delay(200);
        }
    }
}
