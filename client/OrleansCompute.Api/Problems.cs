using Microsoft.AspNetCore.Http;

namespace OrleansCompute.Api;

/// <summary>A request the API refuses: becomes an RFC 9457 problem with this status, title and detail.</summary>
public sealed class ApiProblemException : Exception
{
    public ApiProblemException(int status, string title, string detail, string? field = null)
        : base(detail)
    {
        Status = status;
        Title = title;
        Field = field;
    }

    public ApiProblemException()
        : this(StatusCodes.Status400BadRequest, "Invalid request", "The request is invalid.")
    {
    }

    public ApiProblemException(string message)
        : this(StatusCodes.Status400BadRequest, "Invalid request", message)
    {
    }

    public ApiProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Title = "Invalid request";
    }

    public int Status { get; }

    public string Title { get; }

    /// <summary>The request field at fault (JSON path, query parameter or route value), when there is one.</summary>
    public string? Field { get; }
}

/// <summary>Builds the API's problem responses (RFC 9457, <c>application/problem+json</c>).</summary>
public static class Problems
{
    public static ApiProblemException Invalid(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail, field);

    public static ApiProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static ApiProblemException Conflict(string detail, string? field = null) => new(StatusCodes.Status409Conflict, "Conflict", detail, field);

    public static ApiProblemException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The request body is larger than the limit of {limit} bytes (OrleansCompute:Api:MaxRequestBodyBytes).");

    public static ApiProblemException UnsupportedMediaType(string? actual, params string[] allowed) =>
        new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
            $"Content-Type '{(string.IsNullOrEmpty(actual) ? "(none)" : actual)}' is not accepted here; send {string.Join(" or ", allowed)}.",
            "Content-Type");

    public static ApiProblemException UnsupportedCharset(string charset) =>
        new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
            $"Content-Type charset {Quote(charset)} is not accepted: request bodies must be UTF-8 (send charset=utf-8, or no charset).",
            "Content-Type");

    /// <summary>Longest piece of client input quoted whole in a problem; longer input is cut to <see cref="QuotedPrefix"/> characters.</summary>
    public const int MaxQuoted = 100;

    /// <summary>How much of a longer input a problem quotes.</summary>
    public const int QuotedPrefix = 64;

    /// <summary>
    /// <paramref name="input"/> (client input) in single quotes for a problem's detail: whole up to <see cref="MaxQuoted"/>
    /// characters, else its first <see cref="QuotedPrefix"/> and its length (<c>'abc…' (1048576 characters)</c>), so a
    /// problem never echoes a large input back.
    /// </summary>
    public static string Quote(string? input) => "'" + Cut(input) + "'" +
        (input is { Length: > MaxQuoted } ? $" ({input.Length} characters)" : "");

    /// <summary><paramref name="input"/> itself up to <see cref="MaxQuoted"/> characters, else its first <see cref="QuotedPrefix"/> and "…".</summary>
    public static string Cut(string? input)
    {
        if (input is null || input.Length <= MaxQuoted)
        {
            return input ?? "";
        }

        var length = char.IsHighSurrogate(input[QuotedPrefix - 1]) ? QuotedPrefix - 1 : QuotedPrefix; // never half a pair
        return string.Concat(input.AsSpan(0, length), "…");
    }

    /// <summary>The problem result for <paramref name="problem"/>.</summary>
    public static IResult ToResult(ApiProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return TypedResults.Problem(problem.Message, statusCode: problem.Status, title: problem.Title,
            extensions: problem.Field is null ? null : new Dictionary<string, object?> { ["field"] = problem.Field });
    }
}
