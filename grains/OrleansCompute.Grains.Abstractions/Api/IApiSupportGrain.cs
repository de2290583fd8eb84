using Orleans;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Grains.Api;

/// <summary>
/// Checks the HTTP API asks a silo to make (a stateless worker, so it runs on the silo that receives the call):
/// whether a job spec would be accepted — its kind among the silo's registered kinds, its options valid and its
/// input inside the data roots — before the job is submitted, so a bad spec gets a 400 instead of a failed job.
/// </summary>
public interface IApiSupportGrain : IGrainWithIntegerKey
{
    /// <summary>Null when the spec is acceptable; otherwise the reason, naming the field and the allowed values.</summary>
    Task<JobSpecProblem?> Validate(ComputeJobSpec spec);

    /// <summary>Registered job kinds, ordinal order.</summary>
    Task<List<string>> GetKinds();
}

/// <summary>Why a job spec is refused.</summary>
[GenerateSerializer]
public sealed class JobSpecProblem
{
    /// <summary>The JSON field at fault (e.g. <c>kind</c>, <c>input.path</c>, <c>groupBy.keys</c>).</summary>
    [Id(0)]
    public string Field { get; set; } = "";

    [Id(1)]
    public string Message { get; set; } = "";
}
