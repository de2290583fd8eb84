using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OrleansCompute.Api.Security;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// When keys are configured, every <c>/api/…</c> request must carry a valid <c>X-Api-Key</c> header (401 problem
/// otherwise). Health probes, the OpenAPI document and the dashboard's static files stay open. A validated key is set
/// as the request's <see cref="ApiKeyIdentity"/> (the rate limiter's bucket). Wrong keys count against the client's address
/// (<see cref="AuthFailureLimiter"/>): past a small burst, a request from there that carries a key is answered 429 with
/// <c>Retry-After</c> without the key being checked. A request without a key guesses nothing and is not counted.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyValidator validator, AuthFailureLimiter failures, IProblemDetailsService problems)
{
    /// <summary>RFC 6585's definition of 429, the <c>type</c> of the API's 429 problems.</summary>
    public const string TooManyRequestsType = "https://tools.ietf.org/html/rfc6585#section-4";

    public Task InvokeAsync(HttpContext context)
    {
        if (!validator.Required || !ApiKeyScope.Requires(context.Request.Path))
        {
            return next(context);
        }

        var presented = context.Request.Headers[ApiRoutes.ApiKeyHeader];
        if (presented.Count == 0)
        {
            return UnauthorizedAsync(context, $"This API needs a key: send it in the {ApiRoutes.ApiKeyHeader} header.");
        }

        var address = ClientAddress.Of(context.Connection.RemoteIpAddress);
        if (!failures.MayTry(address, out var wait))
        {
            return TooManyFailuresAsync(context, wait);
        }

        if (presented.Count == 1 && validator.TryValidate(presented[0], out var identity))
        {
            context.Features.Set(identity);
            return next(context);
        }

        return failures.TryRecordFailure(address, out wait)
            ? UnauthorizedAsync(context, $"The {ApiRoutes.ApiKeyHeader} header does not hold a valid key.")
            : TooManyFailuresAsync(context, wait);
    }

    private Task UnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "ApiKey header=\"" + ApiRoutes.ApiKeyHeader + "\"";
        return WriteAsync(context, new ProblemDetails { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized", Detail = detail });
    }

    private Task TooManyFailuresAsync(HttpContext context, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteAsync(context, new ProblemDetails
        {
            Type = TooManyRequestsType,
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many failed API-key attempts",
            Detail = $"Too many wrong {ApiRoutes.ApiKeyHeader} values came from this address (OrleansCompute:Api:AuthFailureBurst / AuthFailuresPerMinute); " +
                $"requests from it that carry a key are refused for {seconds} s (Retry-After), whatever the key.",
        });
    }

    private Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        problem.Extensions["field"] = ApiRoutes.ApiKeyHeader;
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
