using System.Collections.Concurrent;

namespace OrleansCompute.Runtime.Tests.Infrastructure;

/// <summary>A thread-safe event log test grains write to, so tests can assert ordering and counts.</summary>
public sealed class CallLog
{
    private readonly ConcurrentQueue<string> _entries = new();

    public void Add(string entry) => _entries.Enqueue(entry);

    public IReadOnlyList<string> Entries => [.. _entries];

    public int Count(string prefix) => _entries.Count(e => e.StartsWith(prefix, StringComparison.Ordinal));

    public async Task WaitForAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition(Entries))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met; log: " + string.Join(" | ", Entries));
            }

            await Task.Delay(10);
        }
    }
}
