using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace OrleansCompute.Api;

/// <summary>
/// Turns every exception that leaves an endpoint into a problem: the API's own refusals keep their status,
/// a malformed body or binding failure is a 400, a body over the server's limit a 413, a grain's
/// <see cref="ArgumentException"/> (bad argument it refused) a 400 — except Orleans's "no silo implements this grain
/// interface", which is the cluster's state (503) — an unreachable or overloaded cluster (Orleans's
/// connection and rejection exceptions, also as inner exceptions) a 503, a timeout a 504; anything else a 500 that names only the trace id (details go to the log).
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, field) = exception is OperationCanceledException && !httpContext.RequestAborted.IsCancellationRequested
            // Not the client's cancellation: a call the cluster cancelled (its silo left while the call was pending). Retry.
            ? (503, "Cluster unavailable", "A call inside the cluster was cancelled (a silo left while it was pending); retry (re-send is safe for ingest and job submission).", (string?)null)
            : Classify(exception);
        if (status >= 500)
        {
            LogFailed(logger, exception, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", status);
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    internal static (int Status, string Title, string Detail, string? Field) Classify(Exception exception) => exception switch
    {
        ApiProblemException p => (p.Status, p.Title, p.Message, p.Field),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "Request body too large",
            "The request body is larger than the server's limit (OrleansCompute:Api:MaxRequestBodyBytes).", null),
        BadHttpRequestException b => (b.StatusCode, "Bad request", b.Message, null),
        JsonException j => (400, "Malformed JSON", JsonMessage(j), j.Path),
        ArgumentException when NoGrainClass(exception) => (503, "Cluster unavailable",
            $"No silo of the cluster serves this request ({exception.Message}): the silos may still be starting or be gone, or they are not OrleansCompute silos; retry later (/health/ready says when it is back).", null),
        ArgumentException a => (400, "Invalid request", StripParameter(a.Message), a.ParamName),
        _ when Unavailable(exception) is { } cause => (503, "Cluster unavailable",
            $"The cluster cannot be reached or refused the call: {cause.Message} (retry later; /health/ready says when it is back).", null),
        TimeoutException => (504, "Timed out", "The cluster did not answer in time; the request may still complete (re-send is safe for ingest and job submission).", null),
        OperationCanceledException => (499, "Request cancelled", "The request was cancelled.", null),
        _ => (500, "Internal error", "An unexpected error occurred; the server log has the details under this request's trace id.", null),
    };

    /// <summary>
    /// The Orleans exception in <paramref name="exception"/> (or its inner exceptions) that says the cluster is out of
    /// reach: no gateway or silo answers (<see cref="SiloUnavailableException"/>, <see cref="Orleans.Runtime.Messaging.ConnectionFailedException"/>,
    /// <see cref="Orleans.Networking.Shared.SocketConnectionException"/>), a gateway is overloaded
    /// (<see cref="GatewayTooBusyException"/>) or the message was rejected on the way (<see cref="OrleansMessageRejectionException"/>);
    /// null for anything else.
    /// </summary>
    internal static Exception? Unavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OrleansMessageRejectionException or GatewayTooBusyException or Orleans.Runtime.Messaging.ConnectionFailedException
                or Orleans.Networking.Shared.SocketConnectionException)
            {
                return e;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate && aggregate.InnerExceptions.Select(Unavailable).FirstOrDefault(u => u is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    /// <summary>
    /// Orleans's client resolving a grain interface against a cluster manifest without any silo that implements it
    /// (<c>GrainInterfaceTypeToGrainTypeResolver</c>: "Could not find an implementation for interface …"): the state of the
    /// cluster, not a bad request, even though Orleans throws it as an <see cref="ArgumentException"/>.
    /// </summary>
    internal static bool NoGrainClass(Exception exception) =>
        exception.TargetSite?.DeclaringType?.Namespace is { } ns && (ns == "Orleans" || ns.StartsWith("Orleans.", StringComparison.Ordinal))
        && exception.Message.StartsWith("Could not find an implementation for interface", StringComparison.Ordinal);

    internal static string JsonMessage(JsonException exception) =>
        exception.Path is { Length: > 0 } path
            ? $"The JSON body is malformed or has a field of the wrong type at '{path}' (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine}): {StripLocation(exception.Message)}"
            : $"The JSON body is malformed: {StripLocation(exception.Message)}";

    private static string StripLocation(string message)
    {
        var at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }

    private static string StripParameter(string message)
    {
        var at = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }

    [LoggerMessage(1, LogLevel.Error, "{Method} {Path} failed with {Status}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path, int status);
}
