using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using OrleansCompute.Client;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli;

/// <summary>
/// Reads events for <c>ocx ingest</c>: NDJSON (one event object per line, blank lines skipped) or one JSON
/// array of events, told apart by the first non-blank character. Streams, so a file of any size is fine.
/// A malformed event stops the read with a <see cref="UsageException"/> naming the file and line.
/// </summary>
public static class EventFile
{
    public static async IAsyncEnumerable<EventView> ReadAsync(Stream stream, string name, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffered = new BufferedStream(stream, 64 * 1024);
        var first = await PeekFirstNonBlankAsync(buffered, cancellationToken);
        if (first == '[')
        {
            await foreach (var item in ReadArrayAsync(buffered, name, cancellationToken))
            {
                yield return item;
            }

            yield break;
        }

        using var reader = new StreamReader(buffered, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            EventView? item;
            try
            {
                item = JsonSerializer.Deserialize(line, OcxJsonContext.Default.EventView);
            }
            catch (JsonException ex)
            {
                throw new UsageException($"{name}:{lineNumber}: not a JSON event object ({FirstSentence(ex.Message)}). Expected NDJSON lines like {{\"key\":\"k\",\"values\":{{\"amount\":1.5}}}}.");
            }

            yield return Validate(item, name, lineNumber);
        }
    }

    private static async IAsyncEnumerable<EventView> ReadArrayAsync(Stream stream, string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = JsonSerializer.DeserializeAsyncEnumerable(stream, OcxJsonContext.Default.EventView, cancellationToken).GetAsyncEnumerator(cancellationToken);
        long index = 0;
        try
        {
            while (true)
            {
                EventView? item;
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        yield break;
                    }

                    item = enumerator.Current;
                }
                catch (JsonException ex)
                {
                    var where = ex.LineNumber is { } line ? $"{name}:{line + 1}" : name;
                    throw new UsageException($"{where}: not a JSON array of event objects ({FirstSentence(ex.Message)}).");
                }

                yield return Validate(item, name, ++index, arrayIndex: true);
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }

    private static EventView Validate(EventView? item, string name, long position, bool arrayIndex = false)
    {
        var where = arrayIndex ? $"{name}: event #{position}" : $"{name}:{position}";
        if (item is null)
        {
            throw new UsageException($"{where}: null is not an event.");
        }

        if (string.IsNullOrEmpty(item.Key))
        {
            throw new UsageException($"{where}: the event has no \"key\".");
        }

        return item;
    }

    private static async Task<int> PeekFirstNonBlankAsync(BufferedStream stream, CancellationToken cancellationToken)
    {
        // Skip a UTF-8 BOM and whitespace without consuming anything the readers need: BufferedStream cannot
        // un-read, so remember the position when the underlying stream can seek, else buffer by hand.
        if (!stream.CanSeek)
        {
            throw new UsageException("events must come from a file or a seekable stream.");
        }

        var start = stream.Position;
        var buffer = new byte[1];
        var result = -1;
        while (await stream.ReadAsync(buffer, cancellationToken) == 1)
        {
            var b = buffer[0];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            result = b;
            break;
        }

        stream.Position = start;
        return result;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
