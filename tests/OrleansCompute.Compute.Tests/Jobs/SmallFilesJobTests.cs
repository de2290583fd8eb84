using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Jobs;
using Xunit.Abstractions;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// Issue 17 through the grains (a 2-silo TestCluster): a directory of thousands of small files runs as a handful of
/// packed splits — one partition activation per split, not per file — gives exactly the result of the same bytes in
/// one file, and keeps the job's state small. Jobs planned before compact plans resume.
/// </summary>
public sealed class SmallFilesJobTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Files = 5000;
    private JobCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await JobCluster.Start(silos: 2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Word_count_over_5000_small_files_runs_one_partition_per_split_and_equals_one_file()
    {
        var rng = new Random(17);
        var all = new List<byte>();
        for (var f = 0; f < Files; f++)
        {
            var text = Generators.Text(rng, rng.Next(5, 80)).ToList();
            if (text[^1] != (byte)'\n')
            {
                text.Add((byte)'\n'); // no word or line joins two files in the concatenation
            }

            _cluster.Folder.Write($"small/{f / 500:D2}/{f:D4}.txt", [.. text]);
            all.AddRange(text);
        }

        _cluster.Folder.Write("small-as-one.txt", [.. all]);

        var many = await Run("small-dir", "small");
        var one = await Run("small-one", "small-as-one.txt");
        Assert.Equal(one.Result.Records, many.Result.Records);
        Assert.Equal(Wire.Serialize(one.Result.Value), Wire.Serialize(many.Result.Value));

        // Splits sized for the cluster (2 per core), not one per file; one partition activation per split.
        output.WriteLine($"{Files} files: {many.Status.SplitsTotal} splits, map {many.Status.MapTime}; one file: {one.Status.SplitsTotal} splits");
        Assert.InRange(many.Status.SplitsTotal, 1, 4 * Environment.ProcessorCount);
        Assert.Equal(many.Status.SplitsTotal, many.Status.SplitsDone);
        var partitions = await PartitionActivations("small-dir");
        Assert.Equal(many.Status.SplitsTotal, partitions);

        // The persisted state (as the storage serializer writes it) stays under 1 MB per 10,000 files.
        var stateBytes = await StateBytes("small-dir");
        output.WriteLine($"job state: {stateBytes:N0} B");
        Assert.True(stateBytes < Files * 100, $"{stateBytes:N0} B of job state for {Files} files");
    }

    [Fact]
    public async Task A_job_planned_before_compact_plans_resumes_from_its_field_by_field_plan()
    {
        var rng = new Random(3);
        for (var f = 0; f < 30; f++)
        {
            _cluster.Folder.Write($"legacy/{f:D2}.txt", Generators.Text(rng, 200));
        }

        // The state a job of the previous version left while running: its plan serialized field by field, one file per split.
        var spec = new ComputeJobSpec { JobId = "legacy", Kind = "word-count", Input = new InputSpec { Path = "legacy", TargetSplitBytes = 1 << 20 } };
        var plan = Engine.Plan(spec.Input, _cluster.Folder.Path, fileOpenCostBytes: 1L << 40);
        Assert.Equal(30, plan.Splits.Count);
        Assert.All(plan.Splits, s => Assert.Null(s.Parts));
        var serializer = Services.GetRequiredService<Serializer>();
        await WriteState("legacy", new JobGrainState
        {
            Submitted = true,
            State = JobState.Running,
            Spec = serializer.SerializeToArray(spec),
            Plan = serializer.SerializeToArray(plan),
            SplitsTotal = plan.Splits.Count,
            BytesTotal = plan.TotalBytes,
            ShardCount = 3,
            DoneSplits = [],
            SubmittedAt = DateTimeOffset.UtcNow,
        });

        var status = await _cluster.Job("legacy").GetStatus(); // activates the job, which resumes from its state
        Assert.Equal(JobState.Running, status.State);
        status = await _cluster.WaitForEnd("legacy");
        Assert.True(status.State == JobState.Completed, status.Error);
        Assert.Equal(1, status.Resumes);
        Assert.Equal(30, status.SplitsDone);
        JobInputs.AssertSameResult(Engine.Run(spec, _cluster.Folder.Path, plan, shards: 3), await _cluster.Job("legacy").GetResult()); // its 30 splits
    }

    [Fact]
    public async Task A_plan_this_silo_cannot_read_fails_the_job_with_a_clear_message()
    {
        _cluster.Folder.Write("future/a.txt", "a b c\n"u8.ToArray());
        var spec = new ComputeJobSpec { JobId = "future", Kind = "word-count", Input = new InputSpec { Path = "future" } };
        var compact = SplitPlanCodec.Encode(Engine.Plan(spec.Input, _cluster.Folder.Path));
        compact[0] = 2; // a later format, written by a newer silo
        await WriteState("future", new JobGrainState
        {
            Submitted = true,
            State = JobState.Running,
            Spec = Services.GetRequiredService<Serializer>().SerializeToArray(spec),
            CompactPlan = compact,
            SplitsTotal = 1,
            ShardCount = 1,
        });

        await _cluster.Job("future").GetStatus();
        var status = await _cluster.WaitForEnd("future");
        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("has format 2; this silo reads format 1", status.Error, StringComparison.Ordinal);
    }

    private IServiceProvider Services => ((InProcessSiloHandle)_cluster.Cluster.Primary!).SiloHost.Services;

    private IGrainStorage Storage => Services.GetRequiredKeyedService<IGrainStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);

    private async Task<(ComputeJobResult Result, JobStatus Status)> Run(string jobId, string path)
    {
        var spec = new ComputeJobSpec { JobId = jobId, Kind = "word-count", Input = new InputSpec { Path = path } };
        await _cluster.Job(jobId).Submit(spec);
        var status = await _cluster.WaitForEnd(jobId, TimeSpan.FromSeconds(120));
        Assert.True(status.State == JobState.Completed, status.Error);
        return ((await _cluster.Job(jobId).GetResult())!, status);
    }

    /// <summary>Partition grains of the job active anywhere in the cluster (Orleans's management grain).</summary>
    private async Task<int> PartitionActivations(string jobId)
    {
        var type = _cluster.Client.GetGrain<IPartitionGrain>(JobKeys.Partition(jobId, 0)).GetGrainId().Type;
        var stats = await _cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Count(s => s.GrainId.Type.Equals(type) && s.GrainId.Key.ToString()!.StartsWith(jobId + "/", StringComparison.Ordinal));
    }

    private async Task<int> StateBytes(string jobId)
    {
        var state = new GrainState<JobGrainState>();
        await Storage.ReadStateAsync("job", _cluster.Job(jobId).GetGrainId(), state);
        Assert.True(state.RecordExists);
        return Services.GetRequiredService<Serializer>().SerializeToArray(state.State).Length;
    }

    private Task WriteState(string jobId, JobGrainState state) =>
        Storage.WriteStateAsync("job", _cluster.Job(jobId).GetGrainId(), new GrainState<JobGrainState>(state));
}
