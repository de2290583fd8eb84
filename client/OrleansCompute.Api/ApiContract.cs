using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OrleansCompute.Api;

/// <summary>A query parameter a route reads (<see cref="QueryValues"/> only reads parameters declared this way).</summary>
/// <param name="Name">The parameter's name in the query string.</param>
/// <param name="Numeric">An integer (else a string).</param>
/// <param name="Required">Whether the route refuses a request without it (400).</param>
/// <param name="Description">What it means, for the OpenAPI document.</param>
/// <param name="Minimum">Smallest accepted integer.</param>
/// <param name="Maximum">Largest accepted integer.</param>
/// <param name="Default">Value used when absent.</param>
/// <param name="Pattern">Regular expression a string value matches.</param>
public sealed record QueryParameter(string Name, bool Numeric, bool Required, string Description, long? Minimum = null, long? Maximum = null,
    string? Default = null, string? Pattern = null);

/// <summary>
/// What one route takes and can answer besides its success: its summary, the query parameters its code reads and the
/// problem statuses its code and the middleware in front of it can return. One place for the code and the document: the
/// route's handler reads its query through these <see cref="QueryParameter"/>s (refused at run time when undeclared), the
/// route's <c>ProducesProblem</c> metadata comes from <see cref="Problems"/>, and the OpenAPI transformers
/// (<see cref="ApiOpenApi"/>) and the document's test read this object from the endpoint's metadata.
/// </summary>
public sealed class RouteContract
{
    /// <summary>Statuses every API route can answer whatever its handler does: 405 (another method on the path), 414/431
    /// (request line or headers over the limits, <see cref="RequestLimits"/>) and 429 (rate limit).</summary>
    public static readonly IReadOnlyList<int> EdgeStatuses = [405, 414, 431, 429];

    /// <summary>Statuses of a route that calls grains: 503 (cluster unreachable, or not connected yet) and 504 (timed out).</summary>
    public static readonly IReadOnlyList<int> ClusterStatuses = [503, 504];

    /// <summary>One-line summary (OpenAPI <c>summary</c>).</summary>
    public required string Summary { get; init; }

    /// <summary>The query parameters the handler reads.</summary>
    public IReadOnlyList<QueryParameter> Query { get; init; } = [];

    /// <summary>Problem statuses the handler itself answers (400, 404, 409, 413, 415 …).</summary>
    public IReadOnlyList<int> Problems { get; init; } = [];

    /// <summary>Whether the handler calls grains (then 503 and 504 can come back).</summary>
    public bool CallsCluster { get; init; } = true;

    /// <summary>Every problem status a request to <paramref name="path"/> (a route pattern) can get.</summary>
    public IEnumerable<int> AllProblemStatuses(string path)
    {
        var statuses = new SortedSet<int>(Problems);
        statuses.UnionWith(EdgeStatuses);
        if (ApiKeyScope.Requires(new PathString(path)))
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
        }

        if (CallsCluster || path.StartsWith("/api/", StringComparison.Ordinal))
        {
            statuses.UnionWith(ClusterStatuses); // the standalone host's cluster gate answers 503 for any /api route
        }

        return statuses;
    }
}

internal static class RouteContractExtensions
{
    /// <summary>Attaches <paramref name="contract"/>: its summary, a problem response per handler status, and itself as metadata.</summary>
    public static RouteHandlerBuilder WithContract(this RouteHandlerBuilder builder, RouteContract contract)
    {
        builder.WithSummary(contract.Summary).WithMetadata(contract);
        foreach (var status in contract.Problems)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}
