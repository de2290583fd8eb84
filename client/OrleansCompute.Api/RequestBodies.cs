using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace OrleansCompute.Api;

/// <summary>Reading request bodies within the size limit, and checking their media types.</summary>
internal static class RequestBodies
{
    public const string Json = "application/json";
    public const string NdJson = "application/x-ndjson";

    public static void RequireJson(HttpRequest request)
    {
        if (MediaType(request) is not Json)
        {
            throw Problems.UnsupportedMediaType(request.ContentType, Json);
        }
    }

    /// <summary>The request's media type without parameters, lower case (null when absent or unparsable).</summary>
    public static string? MediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) && parsed.MediaType.HasValue
            ? parsed.MediaType.Value!.ToLowerInvariant()
            : null;

    /// <summary>Buffers the whole body in the request pipe (no copy), refusing more than <paramref name="limit"/> bytes with 413.</summary>
    public static async Task<ReadResult> ReadAllAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            throw Problems.TooLarge(limit);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw Problems.TooLarge(limit);
            }

            if (result.IsCompleted)
            {
                return result;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    public static async Task<T?> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> type, long limit)
    {
        var result = await ReadAllAsync(context, limit);
        try
        {
            if (result.Buffer.IsEmpty)
            {
                throw Problems.Invalid("body", "The body is empty: send a JSON object.");
            }

            return Deserialize(result.Buffer, type);
        }
        finally
        {
            context.Request.BodyReader.AdvanceTo(result.Buffer.End);
        }
    }

    private static T? Deserialize<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> type)
    {
        var reader = new Utf8JsonReader(body);
        return JsonSerializer.Deserialize(ref reader, type);
    }
}
