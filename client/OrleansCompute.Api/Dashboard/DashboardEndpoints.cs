using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api.Dashboard;

/// <summary>
/// Serves the dashboard: one HTML page at <see cref="ApiRoutes.Dashboard"/> and its script and style sheet
/// under it, embedded in this assembly (no CDN, no build step, nothing on disk to deploy). The page is public
/// read-only markup; its script calls the API like any client, with the key the user typed (kept in the
/// tab's sessionStorage) when the API asks for one. Responses carry an ETag, <c>no-cache</c> (revalidate, so
/// a new build is picked up at once) and a strict Content-Security-Policy: same-origin scripts, styles and
/// fetches only.
/// </summary>
public static class DashboardEndpoints
{
    private const string ResourcePrefix = "OrleansCompute.Api.Dashboard.";
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, Asset> s_assets = LoadAssets();

    /// <summary>Maps <c>GET /dashboard</c> (the page; <c>/dashboard/</c> redirects there), <c>/dashboard/jobs/{id}</c> (a job's page) and <c>/dashboard/{asset}</c>.</summary>
    public static IEndpointRouteBuilder MapOrleansComputeDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(ApiRoutes.Dashboard).AllowAnonymous().ExcludeFromDescription();
        // Routing treats /dashboard and /dashboard/ alike; the page's relative links resolve against /dashboard,
        // so the trailing-slash form is redirected.
        group.MapGet("", (HttpContext context) => context.Request.Path.Value?.EndsWith('/') == true
            ? Results.Redirect(ApiRoutes.Dashboard, permanent: false)
            : Serve(context, "index.html"));
        group.MapGet("/{asset}", (HttpContext context, string asset) =>
            asset is "index.html" or "job.html" ? Results.Redirect(ApiRoutes.Dashboard, permanent: false) : Serve(context, asset));
        // The job page: one page for every id (its script reads the id from the path and asks the API; an unknown
        // id shows the API's 404 problem there). Its files are linked as ../file.
        group.MapGet("/jobs/{id}", (HttpContext context, string id) => Serve(context, "job.html"));
        return endpoints;
    }

    private static IResult Serve(HttpContext context, string name)
    {
        if (!s_assets.TryGetValue(name, out var asset))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: $"The dashboard has no file '{name}'.");
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }

        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8)) + "\"";
            assets[name] = new Asset(content, ContentTypeOf(name), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
