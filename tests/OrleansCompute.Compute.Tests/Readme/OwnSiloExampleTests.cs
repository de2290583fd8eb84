using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Hosting;

// The README's "Use the compute grains in your own silo and tests", compiled and run as written: a user's own
// TestCluster with the product added by one ISiloConfigurator, and a word count through the grains.
namespace OrleansCompute.Compute.Tests.Readme;

public sealed class ComputeSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo) => silo
        .AddMemoryGrainStorageAsDefault()
        .AddOrleansCompute(o => o.DataRoots.Add(silo.Configuration["DataRoot"]!));
}

public sealed class WordCountThroughGrainsTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("ocx-readme-").FullName;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["DataRoot"] = _data }));
        builder.AddSiloBuilderConfigurator<ComputeSiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Word_count_runs_through_the_grains()
    {
        await File.WriteAllTextAsync(Path.Combine(_data, "words.txt"), "the quick fox jumps over the lazy dog the end\n");

        var job = _cluster.Client.GetGrain<IJobGrain>("readme-word-count");
        await job.Submit(new ComputeJobSpec { Kind = "word-count", Input = new InputSpec { Path = "words.txt" } });
        var status = await job.WaitForEnd(TimeSpan.FromSeconds(30));

        Assert.Equal(JobState.Completed, status.State);
        var words = (WordCountResult)(await job.GetResult())!.Value!;
        Assert.Equal(10, words.TotalWords);
        Assert.Equal(("the", 3L), (words.Words[0].Word, words.Words[0].Count));
    }
}
