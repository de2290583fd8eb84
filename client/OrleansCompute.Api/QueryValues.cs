using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OrleansCompute.Api;

/// <summary>Query-string parsing with problems that name the parameter and its allowed range.</summary>
internal static class QueryValues
{
    public static int Int(HttpRequest request, string name, int fallback, int min, int max)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return fallback;
        }

        return values.Count == 1 && int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Problems.Invalid(name, $"Query parameter '{name}' must be one integer from {min} to {max} (was '{values}').");
    }

    public static long Long(HttpRequest request, string name, long min)
    {
        var values = request.Query[name];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            throw Problems.Invalid(name, $"Query parameter '{name}' is required: an integer ≥ {min}.");
        }

        return values.Count == 1 && long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw Problems.Invalid(name, $"Query parameter '{name}' must be one integer ≥ {min} (was '{values}').");
    }

    public static string Name(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            throw Problems.Invalid(name, $"Query parameter '{name}' is required: 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ -.");
        }

        return values.Count == 1 && JobMapping.IsValidName(values[0])
            ? values[0]!
            : throw Problems.Invalid(name, $"Query parameter '{name}' must be 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ - (was '{values}').");
    }
}
