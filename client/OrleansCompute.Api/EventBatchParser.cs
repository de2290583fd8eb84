using System.Buffers;
using System.Text.Json;
using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Api;

/// <summary>
/// Parses an ingest body — a JSON array of events, or NDJSON (one event object per line) — with a
/// <see cref="Utf8JsonReader"/> straight over the request body's buffered segments: no intermediate string,
/// no reflection, value names shared between events. An event is <c>{"key": "…", "values": {"name": number, …},
/// "timestamp": "ISO 8601"}</c>; <c>values</c> and <c>timestamp</c> are optional; unknown fields, non-finite or
/// non-numeric values, values beyond ±<see cref="IngestEvent.MaxAbsValue"/>, an empty key and an empty batch are refused
/// with a message naming the event and field. A leading UTF-8 byte order mark is skipped (a slice, no copy).
/// </summary>
public static class EventBatchParser
{
    /// <summary>Longest event key accepted, in UTF-16 code units.</summary>
    public const int MaxKeyLength = 1024;

    public static List<IngestEvent> Parse(ReadOnlySequence<byte> body, bool ndjson, int maxEvents, DateTimeOffset now)
    {
        body = RequestBodies.SkipBom(body); // a UTF-8 byte order mark is allowed (and skipped: the reader would refuse it)
        if (IsBlank(body))
        {
            throw Problems.Invalid("body", ndjson ? "The body is empty: send one JSON event object per line." : "The body is empty: send a JSON array of events.");
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowMultipleValues = ndjson, MaxDepth = 8 });
        var events = new List<IngestEvent>(ndjson ? 256 : 1024);
        var names = new NameCache();
        try
        {
            if (!ndjson)
            {
                if (!reader.Read())
                {
                    throw Problems.Invalid("body", "The body is empty: send a JSON array of events.");
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Problems.Invalid("body", $"The body must be a JSON array of events (it starts with {Describe(reader.TokenType)}).");
                }
            }

            while (reader.Read())
            {
                if (!ndjson && reader.TokenType == JsonTokenType.EndArray)
                {
                    if (reader.Read())
                    {
                        throw Problems.Invalid("body", "Unexpected content after the JSON array.");
                    }

                    break;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Problems.Invalid($"[{events.Count}]", $"Event {events.Count} must be a JSON object, not {Describe(reader.TokenType)}.");
                }

                if (events.Count == maxEvents)
                {
                    throw Problems.Invalid("body", $"The batch has more than {maxEvents} events (OrleansCompute:Api:MaxEventsPerBatch); split it.");
                }

                events.Add(ReadEvent(ref reader, events.Count, names, now));
            }
        }
        catch (JsonException ex)
        {
            throw Problems.Invalid("body", $"The body is not valid {(ndjson ? "NDJSON" : "JSON")} (event {events.Count}, line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {ex.Message.Split(" LineNumber:", 2)[0]}");
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            // Utf8JsonReader validates structure, not the UTF-8 inside strings: GetString finds it (found by the chaos fuzzer).
            throw Problems.Invalid("body", $"The body is not valid UTF-8 (a string in event {events.Count} holds invalid bytes).");
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader refusing a token's text, e.g. an escape that is not valid UTF-16 such as a lone surrogate
            // "\uD901" (found by the chaos fuzzer); nothing else in the loop throws this type.
            throw Problems.Invalid("body", $"A string in event {events.Count} is not valid text: {ex.Message}");
        }

        return events.Count > 0 ? events : throw Problems.Invalid("body", "The batch holds no events.");
    }

    private static IngestEvent ReadEvent(ref Utf8JsonReader reader, int index, NameCache names, DateTimeOffset now)
    {
        string? key = null;
        Dictionary<string, double>? values = null;
        DateTimeOffset? timestamp = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8) || reader.ValueTextEquals("Key"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw Problems.Invalid($"[{index}].key", $"Event {index}: 'key' must be a string, not {Describe(reader.TokenType)}.");
                }

                key = reader.GetString();
                if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
                {
                    throw Problems.Invalid($"[{index}].key", $"Event {index}: 'key' must hold 1 to {MaxKeyLength} characters.");
                }
            }
            else if (reader.ValueTextEquals("values"u8) || reader.ValueTextEquals("Values"u8))
            {
                reader.Read();
                values = ReadValues(ref reader, index, names);
            }
            else if (reader.ValueTextEquals("timestamp"u8) || reader.ValueTextEquals("Timestamp"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var at))
                {
                    throw Problems.Invalid($"[{index}].timestamp", $"Event {index}: 'timestamp' must be an ISO 8601 date and time string (e.g. 2026-01-31T12:00:00Z).");
                }

                timestamp = at;
            }
            else
            {
                var field = reader.GetString();
                throw Problems.Invalid($"[{index}].{Problems.Cut(field)}", $"Event {index}: unknown field {Problems.Quote(field)}; an event has 'key', 'values' and 'timestamp'.");
            }
        }

        return new IngestEvent
        {
            Key = key ?? throw Problems.Invalid($"[{index}].key", $"Event {index} has no 'key'."),
            Values = values ?? [],
            Timestamp = timestamp ?? now,
        };
    }

    private static Dictionary<string, double> ReadValues(ref Utf8JsonReader reader, int index, NameCache names)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Problems.Invalid($"[{index}].values", $"Event {index}: 'values' must be an object of name → number, not {Describe(reader.TokenType)}.");
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = names.Get(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Problems.Invalid($"[{index}].values.{Problems.Cut(name)}", $"Event {index}: value {Problems.Quote(name)} must be a number, not {Describe(reader.TokenType)}.");
            }

            if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                throw Problems.Invalid($"[{index}].values.{Problems.Cut(name)}", $"Event {index}: value {Problems.Quote(name)} is not a finite number.");
            }

            if (Math.Abs(value) > IngestEvent.MaxAbsValue)
            {
                // Bounded so that no sum can overflow (IngestEvent.MaxAbsValue): refused here, before anything is applied.
                throw Problems.Invalid($"[{index}].values.{Problems.Cut(name)}", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Event {index}: value {Problems.Quote(name)} is {value:R}, beyond ±1e288: values are limited to that so that a key's sum cannot overflow."));
            }

            if (!values.TryAdd(name, value))
            {
                throw Problems.Invalid($"[{index}].values.{Problems.Cut(name)}", $"Event {index}: value {Problems.Quote(name)} appears twice.");
            }
        }

        return values;
    }

    private static bool IsBlank(ReadOnlySequence<byte> body)
    {
        foreach (var segment in body)
        {
            foreach (var b in segment.Span)
            {
                if (b is not (byte)' ' and not (byte)'\t' and not (byte)'\r' and not (byte)'\n')
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary>The value names seen in this body: events usually repeat them, so each is allocated once.</summary>
    private sealed class NameCache
    {
        private readonly List<(byte[] Utf8, string Name)> _names = [];

        public string Get(ref Utf8JsonReader reader)
        {
            foreach (var (utf8, name) in _names)
            {
                if (reader.ValueTextEquals(utf8))
                {
                    return name;
                }
            }

            var created = reader.GetString()!;
            if (created.Length == 0)
            {
                throw Problems.Invalid("values", "A value name is empty.");
            }

            if (_names.Count < 32)
            {
                _names.Add((System.Text.Encoding.UTF8.GetBytes(created), created));
            }

            return created;
        }
    }
}
