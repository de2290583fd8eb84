using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// <c>HEAD</c> on every <c>GET</c> route (RFC 9110 §9.3.2: the same status and headers, no body), the API's own and those
/// of the dashboards and <c>/metrics</c> alike: before routing a <c>HEAD</c> request is matched as <c>GET</c>
/// (<see cref="Route"/>), right after routing its method is <c>HEAD</c> again (<see cref="Restore"/>), so the handler,
/// the logs, a 405's detail and the server all see <c>HEAD</c> — and Kestrel, which decides from the request line it
/// parsed, sends no body. Routes mapped with <c>MapGet</c> stay GET-only in their metadata (and in the OpenAPI document,
/// whose description says that HEAD is answered like GET).
/// </summary>
internal static class HeadRequests
{
    private sealed class HeadMarker
    {
        public static readonly HeadMarker Instance = new();
    }

    /// <summary>Before routing: a HEAD request is routed as GET.</summary>
    public static Task Route(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Request.Method = HttpMethods.Get;
            context.Features.Set(HeadMarker.Instance);
        }

        return next(context);
    }

    /// <summary>After routing: the request is HEAD again.</summary>
    public static Task Restore(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<HeadMarker>() is not null)
        {
            context.Request.Method = HttpMethods.Head;
        }

        return next(context);
    }
}

/// <summary>
/// The request line and header limits, answered with a problem (414, 431) rather than Kestrel's empty response. Kestrel
/// rejects an over-long request line or header block while parsing, before any middleware runs, and its response has no
/// body (there is no hook to give it one). So the API raises Kestrel's own limits (<see cref="ConfigureKestrel"/>:
/// ×4 for the request line, ×2 for the headers) and enforces the usual ones here, where a body can be written: a request
/// over these limits gets its 414/431 problem; only one beyond the raised limits still gets Kestrel's bare status. The same
/// goes for requests Kestrel cannot parse at all (a malformed request line, a control character in the target): Kestrel
/// answers those 400 without a body.
/// </summary>
internal sealed class RequestLimits(RequestDelegate next, IProblemDetailsService problems)
{
    /// <summary>Longest request line (method, target, version; Kestrel's default).</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>Largest header block: names, values and separators (Kestrel's default).</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Most request headers (Kestrel's default).</summary>
    public const int MaxHeaderCount = 100;

    public static void ConfigureKestrel(KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.MaxRequestLineSize = Math.Max(limits.MaxRequestLineSize, 4 * MaxRequestLineBytes);
        limits.MaxRequestHeadersTotalSize = Math.Max(limits.MaxRequestHeadersTotalSize, 2 * MaxHeaderBytes);
        limits.MaxRequestHeaderCount = Math.Max(limits.MaxRequestHeaderCount, 2 * MaxHeaderCount);
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path + request.QueryString).ToString();
        var line = request.Method.Length + 1 + target.Length + 1 + request.Protocol.Length + 2;
        if (line > MaxRequestLineBytes)
        {
            return RefuseAsync(context, StatusCodes.Status414UriTooLong, "URI too long",
                $"The request line is {line} bytes, over the limit of {MaxRequestLineBytes}: shorten the path or query (send large input in a body).");
        }

        var count = 0;
        var bytes = 0;
        foreach (var header in request.Headers)
        {
            foreach (var value in header.Value)
            {
                count++;
                bytes += header.Key.Length + (value?.Length ?? 0) + 4; // "name: value\r\n"
            }
        }

        if (count > MaxHeaderCount || bytes > MaxHeaderBytes)
        {
            return RefuseAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request header fields too large",
                $"The request has {count} header lines of {bytes} bytes in all; the limits are {MaxHeaderCount} lines and {MaxHeaderBytes} bytes.");
        }

        return next(context);
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Connection = "close";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
