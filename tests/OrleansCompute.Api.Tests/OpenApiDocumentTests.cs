using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// Issue 18 point 5: <c>/openapi/v1.json</c> checked against the routes the co-hosted API really maps (the silo's
/// <see cref="EndpointDataSource"/>): every route with its methods, every query parameter its code reads and every status it
/// can return (both from the route's <see cref="RouteContract"/>, which the code reads its parameters through), the API-key
/// scheme, the problem's <c>field</c> and <c>traceId</c>, <c>required</c> lists and event values as numbers only.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiCluster api)
{
    [Fact]
    public async Task The_document_lists_every_route_method_query_parameter_and_status_the_code_can_answer()
    {
        var doc = await ApiCluster.ReadJson(await api.Http.GetAsync("/openapi/v1.json"));
        var paths = doc.GetProperty("paths");
        var endpoints = api.SiloServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .ToList();
        Assert.True(endpoints.Count >= 12, $"{endpoints.Count} endpoints");

        var failures = new List<string>();
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            var path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var contract = endpoint.Metadata.GetMetadata<RouteContract>();
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            if (contract is null || methods.Count == 0)
            {
                failures.Add($"{path}: no RouteContract or methods");
                continue;
            }

            foreach (var method in methods)
            {
                documented.Add($"{method} {path}");
                if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out var operation))
                {
                    failures.Add($"{method} {path}: not in the document");
                    continue;
                }

                if (!operation.TryGetProperty("summary", out var summary) || summary.GetString() != contract.Summary)
                {
                    failures.Add($"{method} {path}: summary");
                }

                var parameters = operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
                foreach (var query in contract.Query)
                {
                    var declared = parameters.FirstOrDefault(x => x.GetProperty("in").GetString() == "query" && x.GetProperty("name").GetString() == query.Name);
                    if (declared.ValueKind != JsonValueKind.Object)
                    {
                        failures.Add($"{method} {path}: query parameter '{query.Name}' missing");
                    }
                    else if ((declared.TryGetProperty("required", out var r) && r.GetBoolean()) != query.Required)
                    {
                        failures.Add($"{method} {path}: query parameter '{query.Name}' required should be {query.Required}");
                    }
                }

                var responses = operation.GetProperty("responses");
                foreach (var status in contract.AllProblemStatuses(path))
                {
                    if (!responses.TryGetProperty(status.ToString(CultureInfo.InvariantCulture), out var response)
                        || !response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    {
                        failures.Add($"{method} {path}: no {status} problem response");
                    }
                }

                if (!responses.EnumerateObject().Any(r => r.Name.StartsWith('2')))
                {
                    failures.Add($"{method} {path}: no success response");
                }

                var secured = operation.TryGetProperty("security", out var security)
                    && security.EnumerateArray().Any(s => s.TryGetProperty(ApiOpenApi.SecuritySchemeName, out _));
                if (secured != path.StartsWith("/api/", StringComparison.Ordinal))
                {
                    failures.Add($"{method} {path}: security requirement should be {!secured}");
                }
            }
        }

        // Nothing documented that the server does not map.
        foreach (var item in paths.EnumerateObject())
        {
            foreach (var operation in item.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch" or "head"))
            {
                if (!documented.Contains($"{operation.Name.ToUpperInvariant()} {item.Name}"))
                {
                    failures.Add($"{operation.Name} {item.Name}: documented but not mapped");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The statuses the contracts name for the routes the issue lists.
        var jobs = paths.GetProperty("/api/jobs").GetProperty("get");
        Assert.Contains(jobs.GetProperty("parameters").EnumerateArray(), x => x.GetProperty("name").GetString() == "limit"
            && x.GetProperty("schema").GetProperty("maximum").GetInt32() == 1000);
        foreach (var status in new[] { "400", "401", "405", "429", "503", "504" })
        {
            Assert.True(jobs.GetProperty("responses").TryGetProperty(status, out _), $"GET /api/jobs lacks {status}");
        }

        var ingest = paths.GetProperty("/api/datasets/{dataset}/events").GetProperty("post");
        Assert.Equal(["producer", "sequence"], ingest.GetProperty("parameters").EnumerateArray()
            .Where(x => x.GetProperty("in").GetString() == "query" && x.GetProperty("required").GetBoolean()).Select(x => x.GetProperty("name").GetString()!));
        var top = paths.GetProperty("/api/datasets/{dataset}/top").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(x => x.GetProperty("name").GetString()).ToList();
        Assert.Contains("k", top);
        Assert.Contains("metric", top);
    }

    [Fact]
    public async Task The_document_has_the_key_scheme_problem_members_required_lists_and_numeric_event_values()
    {
        var doc = await ApiCluster.ReadJson(await api.Http.GetAsync("/openapi/v1.json"));
        var components = doc.GetProperty("components");
        var scheme = components.GetProperty("securitySchemes").GetProperty(ApiOpenApi.SecuritySchemeName);
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());

        var schemas = components.GetProperty("schemas");
        var problem = schemas.GetProperty("ProblemDetails");
        Assert.True(problem.GetProperty("properties").TryGetProperty("field", out _));
        Assert.True(problem.GetProperty("properties").TryGetProperty("traceId", out _));
        Assert.Contains("traceId", Names(problem.GetProperty("required")));

        Assert.Equal(["input", "kind"], Names(schemas.GetProperty("JobSubmission").GetProperty("required")).Order());
        Assert.Contains("path", Names(schemas.GetProperty("JobInput").GetProperty("required")));
        var status = Names(schemas.GetProperty("JobStatusView").GetProperty("required"));
        Assert.Contains("id", status);
        Assert.Contains("state", status);
        Assert.Contains("error", status); // written as null when there is none
        Assert.DoesNotContain("sumOverflowed", Names(schemas.GetProperty("MetricView").GetProperty("required"))); // left out when false

        var eventView = schemas.GetProperty("EventView");
        Assert.Equal(["key"], Names(eventView.GetProperty("required")));
        var values = eventView.GetProperty("properties").GetProperty("values").GetProperty("additionalProperties");
        Assert.Equal("number", values.GetProperty("type").GetString()); // one type: "number", not ["number", "string"]
        Assert.False(values.TryGetProperty("pattern", out _));
    }

    [Fact]
    public void A_route_reading_a_query_parameter_it_does_not_declare_fails()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?limit=5&k=3");
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(JobEndpoints.ListContract), "test"));
        Assert.Equal(5, QueryValues.Int(context.Request, JobEndpoints.Limit));
        Assert.Throws<InvalidOperationException>(() => QueryValues.Int(context.Request, DatasetEndpoints.K));
    }

    private static List<string> Names(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
