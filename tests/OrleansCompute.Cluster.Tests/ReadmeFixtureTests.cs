using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Hosting;

// The README's "Use the compute grains in your own silo and tests" example, compiled and run as written, so the
// documentation cannot drift from what works. Keep the two in step.
namespace OrleansCompute.Cluster.Tests.Readme;

public sealed class ComputeSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder
        .AddMemoryGrainStorageAsDefault()
        .AddOrleansCompute(o => o.DataRoots.Add(siloBuilder.Configuration["DataRoot"]!));
}

public sealed class ClusterFixture : IAsyncLifetime
{
    public string DataRoot { get; } = Directory.CreateTempSubdirectory("compute-tests-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 3);
        builder.Properties["DataRoot"] = DataRoot;               // reaches every silo's configuration
        builder.AddSiloBuilderConfigurator<ComputeSiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(DataRoot, recursive: true);
    }
}

[CollectionDefinition(nameof(ClusterCollection))]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;

[Collection(nameof(ClusterCollection))]
public sealed class WordCountTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Word_count_job_runs_through_the_grains()
    {
        File.WriteAllText(Path.Combine(fixture.DataRoot, "words.txt"), "the cat and the hat\nthe end\n");

        var job = fixture.Cluster.Client.GetGrain<IJobGrain>("readme-wc");
        await job.Submit(new ComputeJobSpec { Kind = "word-count", Input = new InputSpec { Path = "words.txt" } });
        var status = await job.WaitForEnd(TimeSpan.FromSeconds(30));

        Assert.Equal(JobState.Completed, status.State);
        var words = (WordCountResult)(await job.GetResult())!.Value!;
        Assert.Equal(7, words.TotalWords);
        Assert.Equal(("the", 3L), (words.Words[0].Word, words.Words[0].Count));
    }
}

/// <summary>The README shows this file's code from <c>ComputeSiloConfigurator</c> on; a change to either shows here.</summary>
public sealed class ReadmeDriftTests
{
    [Fact]
    public void The_readme_shows_this_file_as_it_is()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OrleansCompute.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var source = File.ReadAllText(Path.Combine(root.FullName, "tests", "OrleansCompute.Cluster.Tests", "ReadmeFixtureTests.cs")).ReplaceLineEndings("\n");
        var example = source[source.IndexOf("public sealed class ComputeSiloConfigurator", StringComparison.Ordinal)..source.IndexOf("/// <summary>The README shows", StringComparison.Ordinal)].TrimEnd();
        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md")).ReplaceLineEndings("\n");
        Assert.Contains(example, readme, StringComparison.Ordinal);
    }
}
