using System.Text;
using OrleansCompute.Cli;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Tests;

public sealed class EventFileTests
{
    private static async Task<List<EventView>> ReadAsync(string text)
    {
        var list = new List<EventView>();
        await foreach (var item in EventFile.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), "events.json"))
        {
            list.Add(item);
        }

        return list;
    }

    [Fact]
    public async Task Ndjson_lines_are_read_and_blank_lines_skipped()
    {
        var events = await ReadAsync("{\"key\":\"a\",\"values\":{\"amount\":1.5}}\n\n  \r\n{\"Key\":\"b\",\"timestamp\":\"2026-01-02T03:04:05Z\"}\r\n");

        Assert.Equal(["a", "b"], events.Select(e => e.Key));
        Assert.Equal(1.5, events[0].Values["amount"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), events[1].Timestamp);
    }

    [Fact]
    public async Task A_json_array_is_read_after_a_bom_and_whitespace()
    {
        var events = await ReadAsync("\uFEFF \n [ {\"key\":\"a\"}, {\"key\":\"b\",\"values\":{\"n\":2}} ]");

        Assert.Equal(["a", "b"], events.Select(e => e.Key));
        Assert.Equal(2, events[1].Values["n"]);
    }

    [Fact]
    public async Task A_broken_ndjson_line_is_named_by_number()
    {
        var ex = await Assert.ThrowsAsync<UsageException>(() => ReadAsync("{\"key\":\"a\"}\n{\"key\":\"b\",\"values\":{\"n\":\"two\"}}\n"));
        Assert.StartsWith("events.json:2: not a JSON event object", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_without_key_is_refused()
    {
        var ex = await Assert.ThrowsAsync<UsageException>(() => ReadAsync("{\"key\":\"a\"}\n{\"values\":{}}\n"));
        Assert.Equal("events.json:2: the event has no \"key\".", ex.Message);
    }

    [Fact]
    public async Task A_broken_array_is_a_usage_error()
    {
        var ex = await Assert.ThrowsAsync<UsageException>(() => ReadAsync("[{\"key\":\"a\"},\n{\"key\":"));
        Assert.Contains("not a JSON array of event objects", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_file_has_no_events()
    {
        Assert.Empty(await ReadAsync(""));
        Assert.Empty(await ReadAsync("[]"));
    }
}
