using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OrleansCompute.Api;

/// <summary>
/// Query-string parsing with problems that name the parameter and its allowed range. A route reads only the
/// parameters its <see cref="RouteContract"/> declares (a parameter it does not declare is a programming error, refused
/// at once), so the OpenAPI document, built from the contract, lists every parameter the code reads.
/// </summary>
internal static class QueryValues
{
    public static int Int(HttpRequest request, QueryParameter parameter)
    {
        var values = Read(request, parameter);
        var fallback = int.Parse(parameter.Default!, CultureInfo.InvariantCulture);
        if (values.Count == 0)
        {
            return fallback;
        }

        return values.Count == 1 && int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            && value >= parameter.Minimum && value <= parameter.Maximum
            ? value
            : throw Problems.Invalid(parameter.Name, $"Query parameter '{parameter.Name}' must be one integer from {parameter.Minimum} to {parameter.Maximum} (was {Problems.Quote(values.ToString())}).");
    }

    public static long Long(HttpRequest request, QueryParameter parameter)
    {
        var values = Read(request, parameter);
        var name = parameter.Name;
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            throw Problems.Invalid(name, $"Query parameter '{name}' is required: an integer ≥ {parameter.Minimum}.");
        }

        return values.Count == 1 && long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= parameter.Minimum
            ? value
            : throw Problems.Invalid(name, $"Query parameter '{name}' must be one integer ≥ {parameter.Minimum} (was {Problems.Quote(values.ToString())}).");
    }

    public static string Name(HttpRequest request, QueryParameter parameter)
    {
        var values = Read(request, parameter);
        var name = parameter.Name;
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            throw Problems.Invalid(name, $"Query parameter '{name}' is required: 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ -.");
        }

        return values.Count == 1 && JobMapping.IsValidName(values[0])
            ? values[0]!
            : throw Problems.Invalid(name, $"Query parameter '{name}' must be 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ - (was {Problems.Quote(values.ToString())}).");
    }

    /// <summary>The parameter's value, or <see cref="QueryParameter.Default"/> when absent.</summary>
    public static string String(HttpRequest request, QueryParameter parameter)
    {
        var values = Read(request, parameter);
        return values.Count == 0 ? parameter.Default! : values.ToString();
    }

    private static Microsoft.Extensions.Primitives.StringValues Read(HttpRequest request, QueryParameter parameter)
    {
        if (request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<RouteContract>() is not { } contract || !contract.Query.Contains(parameter))
        {
            throw new InvalidOperationException($"The route {request.Path} reads query parameter '{parameter.Name}' without declaring it in its RouteContract.");
        }

        return request.Query[parameter.Name];
    }
}
