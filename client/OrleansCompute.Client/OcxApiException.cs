using System.Net;
using System.Text;

namespace OrleansCompute.Client;

/// <summary>
/// The API answered with an error status. <see cref="Problem"/> is the parsed problem-details body (or a
/// synthetic one when the body was not problem details); <see cref="Exception.Message"/> is one line a
/// person can act on: the title, the detail and the field errors.
/// </summary>
public sealed class OcxApiException : Exception
{
    public OcxApiException(HttpStatusCode statusCode, ApiProblem problem)
        : base(Describe(statusCode, problem))
    {
        StatusCode = statusCode;
        Problem = problem;
    }

    public HttpStatusCode StatusCode { get; }

    public ApiProblem Problem { get; }

    /// <summary>The field errors (empty when there are none).</summary>
    public IReadOnlyDictionary<string, string[]> Errors => Problem.Errors ?? [];

    /// <summary>401 or 403: the API key is missing or wrong.</summary>
    public bool IsAuthenticationError => StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    private static string Describe(HttpStatusCode statusCode, ApiProblem problem)
    {
        var text = new StringBuilder();
        text.Append((int)statusCode).Append(' ');
        text.Append(string.IsNullOrWhiteSpace(problem.Title) ? statusCode.ToString() : problem.Title.Trim());
        if (!string.IsNullOrWhiteSpace(problem.Detail) && problem.Detail != problem.Title)
        {
            text.Append(": ").Append(OneLine(problem.Detail));
        }

        if (problem.Errors is { Count: > 0 } errors)
        {
            var first = true;
            foreach (var (field, messages) in errors)
            {
                text.Append(first ? " (" : "; ");
                first = false;
                text.Append(string.IsNullOrEmpty(field) ? "body" : field).Append(": ").Append(OneLine(string.Join(" ", messages)));
            }

            text.Append(')');
        }

        return text.ToString();
    }

    private static string OneLine(string value) => value.ReplaceLineEndings(" ").Trim();
}
