using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Grains.Api;

/// <summary>Implements <see cref="IJobIndexGrain"/>: an ordered list of (submitted at, job id), persisted on each add.</summary>
public sealed class JobIndexGrain([PersistentState("jobindex")] IPersistentState<JobIndexState> state) : Grain, IJobIndexGrain
{
    private HashSet<string>? _ids;

    public async Task Add(string jobId, DateTimeOffset submittedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        _ids ??= [.. state.State.Jobs.Select(j => j.JobId)];
        if (!_ids.Add(jobId))
        {
            return;
        }

        var jobs = state.State.Jobs;
        var entry = new JobIndexEntry { JobId = jobId, SubmittedAt = submittedAt };
        var at = jobs.Count;
        while (at > 0 && jobs[at - 1].SubmittedAt > submittedAt)
        {
            at--; // kept ascending by submission time; usually appended at the end
        }

        jobs.Insert(at, entry);
        if (jobs.Count > IJobIndexGrain.Capacity)
        {
            _ids.Remove(jobs[0].JobId);
            jobs.RemoveAt(0);
        }

        await state.WriteStateAsync();
    }

    public async Task Remove(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        _ids ??= [.. state.State.Jobs.Select(j => j.JobId)];
        if (!_ids.Remove(jobId))
        {
            return;
        }

        state.State.Jobs.RemoveAll(j => string.Equals(j.JobId, jobId, StringComparison.Ordinal));
        await state.WriteStateAsync();
    }

    public Task<(List<string> Ids, int Total)> Page(int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var jobs = state.State.Jobs;
        var result = new List<string>(Math.Clamp(count, 0, 1000));
        for (var i = jobs.Count - 1 - offset; i >= 0 && result.Count < count; i--)
        {
            result.Add(jobs[i].JobId);
        }

        return Task.FromResult((result, jobs.Count));
    }

    public Task<List<string>> List(int limit)
    {
        var jobs = state.State.Jobs;
        var count = Math.Clamp(limit, 0, jobs.Count);
        var result = new List<string>(count);
        for (var i = jobs.Count - 1; i >= jobs.Count - count; i--)
        {
            result.Add(jobs[i].JobId);
        }

        return Task.FromResult(result);
    }
}

/// <summary>Persisted state of <see cref="JobIndexGrain"/>: job ids in ascending submission order.</summary>
[GenerateSerializer]
public sealed class JobIndexState
{
    [Id(0)]
    public List<JobIndexEntry> Jobs { get; set; } = [];
}

[GenerateSerializer]
public sealed class JobIndexEntry
{
    [Id(0)]
    public string JobId { get; set; } = "";

    [Id(1)]
    public DateTimeOffset SubmittedAt { get; set; }
}
