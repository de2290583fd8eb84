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

    /// <summary>
    /// The request's media type without parameters, lower case (null when absent or unparsable). A <c>charset</c> other than
    /// UTF-8 is refused (415): bodies are read as UTF-8 whatever the header says, so a client sending UTF-16 must learn it here.
    /// </summary>
    public static string? MediaType(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) || !parsed.MediaType.HasValue)
        {
            return null;
        }

        if (parsed.Charset is { HasValue: true } charset && !IsUtf8(charset.AsSpan().Trim('"')))
        {
            throw Problems.UnsupportedCharset(charset.Value!);
        }

        return parsed.MediaType.Value!.ToLowerInvariant();
    }

    private static bool IsUtf8(ReadOnlySpan<char> charset) =>
        charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="body"/> without a leading UTF-8 byte order mark (a slice: nothing is copied).</summary>
    public static ReadOnlySequence<byte> SkipBom(ReadOnlySequence<byte> body)
    {
        if (body.Length < 3)
        {
            return body;
        }

        Span<byte> head = stackalloc byte[3];
        body.Slice(0, 3).CopyTo(head);
        return head.SequenceEqual("\uFEFF"u8) ? body.Slice(3) : body;
    }

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
            if (result.Buffer.IsEmpty || SkipBom(result.Buffer).IsEmpty)
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

    /// <summary>One JSON value (a leading UTF-8 BOM skipped); anything but white space after it is refused (400).</summary>
    private static T? Deserialize<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> type)
    {
        var reader = new Utf8JsonReader(SkipBom(body));
        var value = JsonSerializer.Deserialize(ref reader, type);
        try
        {
            if (!reader.Read())
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Utf8JsonReader refuses a second value ("… is invalid after a single JSON value"): the same answer as below.
        }

        throw Problems.Invalid("body", $"Unexpected content after the JSON value (from byte {reader.BytesConsumed}): send one JSON object and nothing else.");
    }
}
