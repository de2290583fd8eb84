using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// Microsoft.AspNetCore.OpenApi's transformers that complete <c>/openapi/v1.json</c> from what the routes declare:
/// each operation's <see cref="RouteContract"/> (summary, query parameters, every problem status including the middleware's
/// 401/405/414/429/431/503/504), the API-key security scheme, the problem members <c>field</c> and <c>traceId</c>,
/// <c>required</c> lists, and event values as numbers only.
/// </summary>
internal static class ApiOpenApi
{
    public const string SecuritySchemeName = "ApiKey";

    /// <summary>Request bodies' types and the members a request must carry (the API refuses it with 400 otherwise).</summary>
    private static readonly Dictionary<Type, string[]> s_requestRequired = new()
    {
        [typeof(JobSubmission)] = ["kind", "input"],
        [typeof(JobInput)] = ["path"],
        [typeof(WordCountSettings)] = [],
        [typeof(GroupBySettings)] = ["keys"],
        [typeof(AggregateSetting)] = ["function"],
        [typeof(TopKSettings)] = [],
        [typeof(FilterSettings)] = ["pattern"],
        [typeof(RejectionSettings)] = [],
        [typeof(EventView)] = ["key"],
    };

    private static readonly Dictionary<int, string> s_descriptions = new()
    {
        [400] = "Invalid request: the problem's detail says what is wrong and its field names the member, parameter or header at fault.",
        [401] = "X-Api-Key missing or wrong (when keys are configured); WWW-Authenticate names the header.",
        [404] = "No such job, key or route.",
        [405] = "The path does not take this method (Allow lists those it takes; HEAD is answered like GET).",
        [409] = "Conflict with the state on the server (see the detail).",
        [413] = "The body is larger than OrleansCompute:Api:MaxRequestBodyBytes.",
        [414] = "The request line is longer than the server's limit.",
        [415] = "Another media type than the route takes, or a charset other than UTF-8.",
        [429] = "Rate limit exceeded, or too many wrong API keys from this address; retry after Retry-After.",
        [431] = "The request's headers are larger, or more, than the server's limits.",
        [503] = "The cluster cannot be reached or is not ready; retry later (Retry-After may say when).",
        [504] = "The cluster did not answer in time; the request may still complete.",
    };

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OrleansCompute API";
            document.Info.Description =
                "Batch jobs and exactly-once event ingest over an Orleans cluster. Every error is an RFC 9457 problem " +
                "(application/problem+json). Every GET route also answers HEAD (same status and headers, no body). Request bodies are UTF-8 " +
                "(a byte order mark is allowed). When API keys are configured, /api routes need the X-Api-Key header.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiRoutes.ApiKeyHeader,
                Description = "An API key (OrleansCompute:Api:ApiKeys); required on /api routes once any key is configured.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(TransformOperation);
        options.AddSchemaTransformer(TransformSchema);
    }

    private static Task TransformOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var contract = context.Description.ActionDescriptor.EndpointMetadata.OfType<RouteContract>().LastOrDefault();
        if (contract is null)
        {
            return Task.CompletedTask;
        }

        var path = "/" + (context.Description.RelativePath ?? "").Split('?')[0];
        operation.Summary = contract.Summary;
        operation.Parameters ??= [];
        foreach (var query in contract.Query)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = query.Required,
                Description = query.Description,
                Schema = new OpenApiSchema
                {
                    Type = query.Numeric ? JsonSchemaType.Integer : JsonSchemaType.String,
                    Format = query.Numeric ? "int64" : null,
                    Minimum = query.Minimum?.ToString(CultureInfo.InvariantCulture),
                    Maximum = query.Maximum?.ToString(CultureInfo.InvariantCulture),
                    Pattern = query.Pattern,
                    Default = query.Default is null ? null : query.Numeric ? JsonValue.Create(long.Parse(query.Default, CultureInfo.InvariantCulture)) : JsonValue.Create(query.Default),
                },
            });
        }

        if (ApiKeyScope.Requires(new PathString(path)))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [],
            });
        }

        operation.Responses ??= new OpenApiResponses();
        var problem = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document);
        foreach (var status in contract.AllProblemStatuses(path))
        {
            var key = status.ToString(CultureInfo.InvariantCulture);
            if (!operation.Responses.TryGetValue(key, out var response))
            {
                response = new OpenApiResponse
                {
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
                };
                operation.Responses[key] = response;
            }

            if (response is OpenApiResponse concrete && s_descriptions.TryGetValue(status, out var description))
            {
                concrete.Description = description;
            }
        }

        return Task.CompletedTask;
    }

    private static Task TransformSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (context.JsonPropertyInfo is not null)
        {
            // Event values: numbers only (the ingest parser refuses strings), not the number-or-string the web defaults describe.
            if (context.JsonPropertyInfo.DeclaringType == typeof(EventView) && context.JsonPropertyInfo.Name == "values")
            {
                schema.AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double" };
                return Task.CompletedTask;
            }

            // Otherwise go on: an object-typed property's schema is its type's (later moved to the components).
        }

        if (type == typeof(ProblemDetails))
        {
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["field"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The request member at fault: a JSON path ([0].values.v, input.path), a query parameter or a header, when there is one.",
            };
            schema.Properties["traceId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The request's trace id: the server log has the details under it.",
            };
            schema.Required = new HashSet<string>(StringComparer.Ordinal) { "status", "title", "detail", "traceId" };
            return Task.CompletedTask;
        }

        if (type.Namespace != typeof(JobSubmission).Namespace || schema.Properties is not { Count: > 0 })
        {
            return Task.CompletedTask;
        }

        if (s_requestRequired.TryGetValue(type, out var required))
        {
            schema.Required = new HashSet<string>(required, StringComparer.Ordinal);
        }
        else
        {
            // A response: the server writes every member (null where absent) except those it leaves out when default.
            schema.Required = new HashSet<string>(context.JsonTypeInfo.Properties
                .Where(p => p.AttributeProvider?.IsDefined(typeof(JsonIgnoreAttribute), inherit: true) != true)
                .Select(p => p.Name), StringComparer.Ordinal);
        }

        return Task.CompletedTask;
    }
}
