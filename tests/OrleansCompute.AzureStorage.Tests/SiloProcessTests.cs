using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansCompute.Blobs;
using OrleansCompute.Client;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>
/// Real silo processes configured only by settings: two silos clustered through Redis keep grain state in Azurite
/// (<c>Storage:Provider=azureblob</c>) and read job inputs from it (<c>Compute:Blob:ConnectionString</c>).
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
        const string secret = "azure-process-secret-0123456789";
        string[] settings =
        [
            "--OrleansCompute:Storage:Provider=azureblob",
            $"--OrleansCompute:Storage:ConnectionString={azurite.ConnectionString}",
            $"--OrleansCompute:Storage:ContainerName={state}",
            $"--OrleansCompute:Compute:Blob:ConnectionString={azurite.ConnectionString}",
        ];
        var silos = await Task.WhenAll(Enumerable.Range(1, 2).Select(i =>
            SiloProcess.StartAsync($"azsilo{i}", redis.ConnectionString, clusterId, secret, extraArguments: settings)));
        try
        {
            var siloOptions = Options.Create(new SiloOptions { ClusterId = clusterId });
            await using var table = new RedisMembershipTable(Options.Create(new RedisClusteringOptions { ConnectionString = redis.ConnectionString }), siloOptions);
            await using var client = new ClusterClient(new ClusterClientOptions
            {
                ClusterId = clusterId,
                ClusterSecret = secret,
                ResponseTimeout = TimeSpan.FromSeconds(30),
            }, new ServiceCollection().BuildServiceProvider(), table, TimeProvider.System, NullLogger<ClusterClient>.Instance);
            await client.ConnectAsync();

            var job = client.GetGrain<IJobGrain>("blob-wc");
            await job.Submit(new ComputeJobSpec
            {
                JobId = "blob-wc",
                Kind = "word-count",
                Input = new InputSpec { Path = $"blob:{inputs}/in/", TargetSplitBytes = 4096 },
                WordCount = new WordCountOptions(),
            });
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            JobStatus status;
            while (!((status = await job.GetStatus()).State is JobState.Completed or JobState.Failed or JobState.Cancelled))
            {
                Assert.True(DateTime.UtcNow < deadline, "the job did not finish in time");
                await Task.Delay(200);
            }

            Assert.True(status.State == JobState.Completed, $"{status.State}: {status.Error}\n{silos[0].Output}");
            var words = (WordCountResult)(await job.GetResult())!.Value!;
            var reference = TestData.ReferenceWordCount(texts);
            Assert.Equal(reference.Count, words.Words.Count);
            Assert.All(words.Words, w => Assert.Equal(reference[w.Word], w.Count));

            // The job's state went to the state container in Azurite ({serviceId}/{stateName}/job/blob-wc).
            using var blobs = new BlobRestClient(BlobConnectionString.Parse(azurite.ConnectionString));
            var stored = await blobs.ListBlobsAsync(state, null);
            Assert.Contains(stored, b => b.Name.EndsWith("/job/blob-wc", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
