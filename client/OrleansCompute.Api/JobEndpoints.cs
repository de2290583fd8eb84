using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Client.Contracts;
using OrleansCompute.Grains.Api;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Api;

/// <summary>Submit, list, inspect and cancel batch jobs.</summary>
internal static partial class JobEndpoints
{
    private const int MaxListLimit = 1000;

    internal static readonly QueryParameter Limit = new("limit", Numeric: true, Required: false,
        "How many jobs to list, most recently submitted first.", Minimum: 1, Maximum: MaxListLimit, Default: "50");

    internal static readonly RouteContract SubmitContract = new()
    {
        Summary = "Submit a batch job (202 with its status; the same id and spec again is answered the same way)",
        Problems = [400, 409, 413, 415],
    };

    internal static readonly QueryParameter ListOffset = new("offset", Numeric: true, Required: false,
        "Jobs to skip: of the index without a filter, of the matching jobs with one.", Minimum: 0, Maximum: IJobIndexGrain.Capacity, Default: "0");

    internal static readonly QueryParameter ListState = new("state", Numeric: false, Required: false,
        "Only jobs in this state: queued, running, completed, failed or cancelled.", Pattern: "^(queued|running|completed|failed|cancelled)$");

    internal static readonly QueryParameter ListKind = new("kind", Numeric: false, Required: false,
        "Only jobs of this kind (any spelling of a registered kind: word-count = wordcount).");

    internal static readonly RouteContract ListContract = new()
    {
        Summary = "List jobs, most recently submitted first; paged, filtered by state and kind",
        Query = [Limit, ListOffset, ListState, ListKind],
        Problems = [400],
    };
    internal static readonly RouteContract GetContract = new() { Summary = "A job's status and progress", Problems = [404] };
    internal static readonly RouteContract ResultContract = new() { Summary = "A completed job's result (409 while it runs, or when it failed or was cancelled)", Problems = [404, 409] };
    internal static readonly QueryParameter SplitOffset = new("offset", Numeric: true, Required: false,
        "Splits to skip (in split order, after the state filter).", Minimum: 0, Maximum: int.MaxValue, Default: "0");

    internal static readonly QueryParameter SplitLimit = new("limit", Numeric: true, Required: false,
        "How many splits to answer.", Minimum: 1, Maximum: MaxListLimit, Default: "100");

    internal static readonly QueryParameter SplitState = new("state", Numeric: false, Required: false,
        "Only splits in this state: pending, running, done or failed.", Pattern: "^(pending|running|done|failed)$");

    internal static readonly RouteContract SplitsContract = new()
    {
        Summary = "A page of a job's per-split records: state, the silo that ran it, attempts, retries, resumes, duration, records",
        Query = [SplitOffset, SplitLimit, SplitState],
        Problems = [400, 404],
    };

    internal static readonly RouteContract CancelContract = new() { Summary = "Cancel a job (a finished job is left as it is)", Problems = [404] };
    internal static readonly RouteContract DeleteContract = new()
    {
        Summary = "Delete a finished job: its status, splits and result are gone and the id may be used again (409 while it is queued or running: cancel it first)",
        Problems = [404, 409],
    };

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost(ApiRoutes.Jobs, Submit).WithName("SubmitJob").WithTags("jobs")
            .Accepts<JobSubmission>("application/json")
            .Produces<JobStatusView>(StatusCodes.Status202Accepted)
            .WithContract(SubmitContract);
        api.MapGet(ApiRoutes.Jobs, List).WithName("ListJobs").WithTags("jobs").Produces<JobListView>().WithContract(ListContract);
        api.MapGet(ApiRoutes.Job, Get).WithName("GetJob").WithTags("jobs").Produces<JobStatusView>().WithContract(GetContract);
        api.MapGet(ApiRoutes.JobResult, Result).WithName("GetJobResult").WithTags("jobs").Produces<JobResultView>().WithContract(ResultContract);
        api.MapGet(ApiRoutes.JobSplits, Splits).WithName("GetJobSplits").WithTags("jobs").Produces<JobSplitsView>().WithContract(SplitsContract);
        api.MapPost(ApiRoutes.JobCancel, Cancel).WithName("CancelJob").WithTags("jobs").Produces<JobStatusView>(StatusCodes.Status202Accepted)
            .WithContract(CancelContract);
        api.MapDelete(ApiRoutes.Job, Delete).WithName("DeleteJob").WithTags("jobs").Produces(StatusCodes.Status204NoContent).WithContract(DeleteContract);
    }

    private static async Task<IResult> Submit(HttpContext context, IGrainFactory grains, KindCatalog kinds, IOptions<ApiOptions> options,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(LogCategory);
        RequestBodies.RequireJson(context.Request);
        var submission = await RequestBodies.ReadJsonAsync(context, ApiJsonContext.Default.JobSubmission, options.Value.MaxRequestBodyBytes)
            ?? throw Problems.Invalid("body", "The body must be a JSON object describing the job, not null.");
        if (string.IsNullOrWhiteSpace(submission.Kind))
        {
            throw Problems.Invalid("kind", $"'kind' is required; registered kinds: {string.Join(", ", await kinds.GetAsync())}.");
        }

        var kind = await kinds.ResolveAsync(submission.Kind);
        var jobId = submission.Id ?? JobMapping.NewJobId(DateTimeOffset.UtcNow);
        if (!JobMapping.IsValidName(jobId))
        {
            throw Problems.Invalid("id", $"'id' must be 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ - (was {Problems.Quote(jobId)}).");
        }

        var spec = JobMapping.ToSpec(submission, jobId, kind);
        using var activity = ApiInstrumentation.StartJobSubmit(jobId, kind);
        if (await grains.GetGrain<IApiSupportGrain>(0).Validate(spec) is { } problem)
        {
            throw Problems.Invalid(problem.Field, problem.Message);
        }

        JobStatus status;
        try
        {
            status = await grains.GetGrain<IJobGrain>(jobId).Submit(spec);
        }
        catch (InvalidOperationException ex)
        {
            throw Problems.Conflict(ex.Message + " Submit under another id, or send the same spec again.");
        }

        await grains.GetGrain<IJobIndexGrain>(0).Add(jobId, status.SubmittedAt);
        ApiInstrumentation.JobsSubmitted.Add(1, new KeyValuePair<string, object?>("job.kind", kind));
        LogSubmitted(logger, jobId, kind, spec.Input.Path);
        context.Response.Headers.Location = ApiRoutes.Jobs + "/" + Uri.EscapeDataString(jobId);
        return TypedResults.Json(JobMapping.ToView(status), ApiJsonContext.Default.JobStatusView, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> List(HttpContext context, IGrainFactory grains, KindCatalog kinds)
    {
        var limit = QueryValues.Int(context.Request, Limit);
        var offset = QueryValues.Int(context.Request, ListOffset);
        var state = OptionalQuery(context.Request, ListState);
        JobState? wantedState = null;
        if (state is not null)
        {
            wantedState = ParseJobState(state) ?? throw Problems.Invalid("state",
                $"Query parameter 'state' must be one of queued, running, completed, failed, cancelled (was {Problems.Quote(state)}).");
            state = JobMapping.StateName(wantedState.Value);
        }

        var kind = OptionalQuery(context.Request, ListKind);
        if (kind is not null)
        {
            kind = kind.Length <= JobMapping.MaxIdLength
                ? await kinds.ResolveAsync(kind) // unknown kinds: 400 naming the registered ones
                : throw Problems.Invalid("kind", $"Query parameter 'kind' is at most {JobMapping.MaxIdLength} characters (was {kind.Length}).");
        }

        var index = grains.GetGrain<IJobIndexGrain>(0);
        var view = new JobListView { Offset = offset, Limit = limit, State = state, Kind = kind };
        if (wantedState is null && kind is null)
        {
            var (ids, total) = await index.Page(offset, limit);
            var statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<IJobGrain>(id).GetStatus()));
            view.Jobs = [.. statuses.Where(s => s.Spec is not null).Select(JobMapping.ToView)];
            view.Total = total;
            view.More = offset + ids.Count < total;
            return TypedResults.Json(view, ApiJsonContext.Default.JobListView);
        }

        // Filtered: walk the index newest first in chunks (each job's status from its grain), skipping `offset` matches,
        // up to MaxFilterScan jobs; More says whether the walk stopped before the index's end.
        var skipped = 0;
        var position = 0;
        var normalizedKind = kind is null ? null : JobMapping.NormalizeKind(kind);
        while (position < MaxFilterScan)
        {
            var (ids, total) = await index.Page(position, FilterChunk);
            if (ids.Count == 0)
            {
                break;
            }

            var statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<IJobGrain>(id).GetStatus()));
            for (var i = 0; i < statuses.Length; i++)
            {
                var s = statuses[i];
                if (s.Spec is null || (wantedState is { } w && s.State != w) || (normalizedKind is not null && JobMapping.NormalizeKind(s.Spec.Kind) != normalizedKind))
                {
                    continue;
                }

                if (skipped < offset)
                {
                    skipped++;
                }
                else if (view.Jobs.Count < limit)
                {
                    view.Jobs.Add(JobMapping.ToView(s));
                }
                else
                {
                    view.More = true; // one more match beyond the page
                    return TypedResults.Json(view, ApiJsonContext.Default.JobListView);
                }
            }

            position += ids.Count;
            if (position >= total)
            {
                break;
            }

            view.More = position >= MaxFilterScan;
        }

        return TypedResults.Json(view, ApiJsonContext.Default.JobListView);
    }

    private const int FilterChunk = 200;

    /// <summary>How many of the newest jobs a filtered list looks at, at most.</summary>
    public const int MaxFilterScan = 5000;

    private static string? OptionalQuery(HttpRequest request, QueryParameter parameter)
    {
        var value = QueryValues.String(request, parameter); // null when absent; several values joined by commas
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static JobState? ParseJobState(string name) => name.ToLowerInvariant() switch
    {
        "queued" => JobState.Queued,
        "running" => JobState.Running,
        "completed" => JobState.Completed,
        "failed" => JobState.Failed,
        "cancelled" or "canceled" => JobState.Cancelled,
        _ => null,
    };

    private static async Task<IResult> Get(string id, IGrainFactory grains) =>
        TypedResults.Json(JobMapping.ToView(await GetSubmitted(id, grains)), ApiJsonContext.Default.JobStatusView);

    private static async Task<IResult> Result(string id, IGrainFactory grains)
    {
        var status = await GetSubmitted(id, grains);
        switch (status.State)
        {
            case JobState.Completed:
                var result = await grains.GetGrain<IJobGrain>(id).GetResult()
                    ?? throw Problems.Conflict($"Job '{id}' completed but its result is not available.");
                return TypedResults.Json(JobMapping.ToView(result), ApiJsonContext.Default.JobResultView);
            case JobState.Failed:
                throw Problems.Conflict($"Job '{id}' failed, so it has no result: {status.Error}");
            case JobState.Cancelled:
                throw Problems.Conflict($"Job '{id}' was cancelled, so it has no result.");
            default:
                throw Problems.Conflict($"Job '{id}' is {JobMapping.StateName(status.State)} ({status.SplitsDone} of {status.SplitsTotal} splits); its result is not ready yet.");
        }
    }

    private static async Task<IResult> Splits(string id, HttpContext context, IGrainFactory grains)
    {
        var offset = QueryValues.Int(context.Request, SplitOffset);
        var limit = QueryValues.Int(context.Request, SplitLimit);
        var stateName = QueryValues.String(context.Request, SplitState);
        Grains.Jobs.SplitState? state = null;
        if (!string.IsNullOrEmpty(stateName))
        {
            state = JobMapping.ParseSplitState(stateName) ?? throw Problems.Invalid("state",
                $"Query parameter 'state' must be one of pending, running, done, failed (was {Problems.Quote(stateName)}).");
            stateName = JobMapping.SplitStateName(state.Value);
        }
        else
        {
            stateName = null;
        }

        await GetSubmitted(id, grains);
        var page = await grains.GetGrain<IJobGrain>(id).GetSplits(offset, limit, state);
        var view = new JobSplitsView
        {
            Id = id,
            State = stateName,
            Offset = offset,
            Limit = limit,
            Total = page.Total,
            Splits = [.. page.Splits.Select(JobMapping.ToView)],
        };
        return TypedResults.Json(view, ApiJsonContext.Default.JobSplitsView);
    }

    private static async Task<IResult> Cancel(string id, IGrainFactory grains)
    {
        await GetSubmitted(id, grains);
        var job = grains.GetGrain<IJobGrain>(id);
        await job.Cancel();
        return TypedResults.Json(JobMapping.ToView(await job.GetStatus()), ApiJsonContext.Default.JobStatusView, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> Delete(string id, HttpContext context, IGrainFactory grains)
    {
        ThrowIfNotJobId(id);

        var cancel = "POST " + ApiRoutes.JobCancel.Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal);
        switch (await grains.GetGrain<IJobGrain>(id).Delete())
        {
            case JobDeletion.Running:
                throw Problems.Conflict($"Job '{id}' is queued or running; cancel it first ({cancel}), then delete it.");
            case JobDeletion.Finishing:
                context.Response.Headers.RetryAfter = "2"; // answered as a result, not thrown: the exception handler would clear headers
                return Problems.ToResult(Problems.Conflict($"Job '{id}' has ended but splits it had in flight are still finishing; delete it again shortly (Retry-After)."));
            case JobDeletion.Unknown:
                await grains.GetGrain<IJobIndexGrain>(0).Remove(id); // a delete whose answer was lost, sent again, finishes here
                throw Problems.NotFound($"No job '{id}' was submitted (or it was deleted).");
            default:
                await grains.GetGrain<IJobIndexGrain>(0).Remove(id);
                return TypedResults.NoContent();
        }
    }

    /// <summary>404 for a path segment that cannot be a job id (no grain call for it).</summary>
    private static void ThrowIfNotJobId(string id)
    {
        if (!JobMapping.IsValidName(id))
        {
            throw Problems.NotFound($"No job {Problems.Quote(id)}: job ids are 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ -.");
        }
    }

    private static async Task<JobStatus> GetSubmitted(string id, IGrainFactory grains)
    {
        ThrowIfNotJobId(id);

        var status = await grains.GetGrain<IJobGrain>(id).GetStatus();
        return status.Spec is null ? throw Problems.NotFound($"No job '{id}' was submitted.") : status;
    }

    /// <summary>The category of the job routes' log lines (a static class cannot be an <c>ILogger&lt;T&gt;</c>).</summary>
    public const string LogCategory = "OrleansCompute.Api.Jobs";

    [LoggerMessage(10, LogLevel.Information, "Job {JobId} submitted: {Kind} over {Input}")]
    private static partial void LogSubmitted(ILogger logger, string jobId, string kind, string input);
}
