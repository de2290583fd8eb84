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

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost(ApiRoutes.Jobs, Submit).WithName("SubmitJob").WithTags("jobs")
            .Accepts<JobSubmission>("application/json")
            .Produces<JobStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        api.MapGet(ApiRoutes.Jobs, List).WithName("ListJobs").WithTags("jobs").Produces<JobListView>().ProducesProblem(400);
        api.MapGet(ApiRoutes.Job, Get).WithName("GetJob").WithTags("jobs").Produces<JobStatusView>().ProducesProblem(404);
        api.MapGet(ApiRoutes.JobResult, Result).WithName("GetJobResult").WithTags("jobs").Produces<JobResultView>()
            .ProducesProblem(404).ProducesProblem(409);
        api.MapPost(ApiRoutes.JobCancel, Cancel).WithName("CancelJob").WithTags("jobs").Produces<JobStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(404);
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
            throw Problems.Invalid("id", $"'id' must be 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ - (was '{jobId}').");
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

    private static async Task<IResult> List(HttpContext context, IGrainFactory grains)
    {
        var limit = QueryValues.Int(context.Request, "limit", 50, 1, MaxListLimit);
        var ids = await grains.GetGrain<IJobIndexGrain>(0).List(limit);
        var statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<IJobGrain>(id).GetStatus()));
        var view = new JobListView { Jobs = [.. statuses.Where(s => s.Spec is not null).Select(JobMapping.ToView)] };
        return TypedResults.Json(view, ApiJsonContext.Default.JobListView);
    }

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

    private static async Task<IResult> Cancel(string id, IGrainFactory grains)
    {
        await GetSubmitted(id, grains);
        var job = grains.GetGrain<IJobGrain>(id);
        await job.Cancel();
        return TypedResults.Json(JobMapping.ToView(await job.GetStatus()), ApiJsonContext.Default.JobStatusView, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<JobStatus> GetSubmitted(string id, IGrainFactory grains)
    {
        if (!JobMapping.IsValidName(id))
        {
            throw Problems.NotFound($"No job '{id}': job ids are 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ -.");
        }

        var status = await grains.GetGrain<IJobGrain>(id).GetStatus();
        return status.Spec is null ? throw Problems.NotFound($"No job '{id}' was submitted.") : status;
    }

    /// <summary>The category of the job routes' log lines (a static class cannot be an <c>ILogger&lt;T&gt;</c>).</summary>
    public const string LogCategory = "OrleansCompute.Api.Jobs";

    [LoggerMessage(10, LogLevel.Information, "Job {JobId} submitted: {Kind} over {Input}")]
    private static partial void LogSubmitted(ILogger logger, string jobId, string kind, string input);
}
