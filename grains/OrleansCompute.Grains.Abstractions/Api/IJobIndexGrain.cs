using Orleans;

namespace OrleansCompute.Grains.Api;

/// <summary>
/// Every job submitted through the HTTP API, newest first (one grain, key 0; persisted). The job registry only
/// tracks running jobs; this index is what <c>GET /api/jobs</c> lists. Holds at most <see cref="Capacity"/> ids
/// (the oldest are dropped from the index; their job grains keep their status and result).
/// </summary>
public interface IJobIndexGrain : IGrainWithIntegerKey
{
    const int Capacity = 10_000;

    /// <summary>Records a submission (idempotent per job id).</summary>
    Task Add(string jobId, DateTimeOffset submittedAt);

    /// <summary>Forgets a job (deleted); no-op for an id the index does not hold.</summary>
    Task Remove(string jobId);

    /// <summary>Up to <paramref name="limit"/> job ids, most recently submitted first.</summary>
    Task<List<string>> List(int limit);

    /// <summary>Up to <paramref name="count"/> job ids from position <paramref name="offset"/> (0: the newest), and how many the index holds.</summary>
    Task<(List<string> Ids, int Total)> Page(int offset, int count);
}
