using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansCompute.Client;

/// <summary>An RFC 9457 problem-details body as the API sends it with every error.</summary>
public sealed class ApiProblem
{
    public string? Type { get; set; }

    public string? Title { get; set; }

    public int? Status { get; set; }

    public string? Detail { get; set; }

    public string? Instance { get; set; }

    /// <summary>Validation errors by field (ASP.NET Core's <c>ValidationProblemDetails</c> shape).</summary>
    public Dictionary<string, string[]>? Errors { get; set; }

    /// <summary>Any other members the server added (<c>traceId</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}
