using System.Diagnostics;
using Xunit.Abstractions;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// redis-server (AOF on, <c>appendfsync always</c>) is killed with SIGKILL and restarted, twice, while producers
/// ingest through the HTTP API of a 3-silo cluster: no acknowledged event may be lost or counted twice, and no silo may fence itself
/// or die (a Redis-only outage longer than the isolation-fence timeout must not stop a healthy cluster).
/// </summary>
/// <remarks>
/// <c>appendfsync always</c>: Redis answers a write only after it is in the AOF and fsynced, so "acknowledged" means
/// on disk, surviving even a machine crash. <c>everysec</c> would survive a process kill -9 too (the write() happened)
/// but could lose the last second on power loss, which is not what an acknowledgement should mean.
/// </remarks>
[Collection("chaos")]
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private const string Dataset = "redis-restart";

    [Fact]
    public async Task Acknowledged_events_survive_Redis_being_killed_and_restarted_during_ingest()
    {
        var report = new ChaosReport("Redis kill -9 + restart during ingest (AOF, appendfsync always)");
        await using var cluster = await ChaosCluster.StartAsync(3);
        using var http = new HttpIngest(cluster);
        var keys = Enumerable.Range(0, 40).Select(i => $"rk{i}").ToArray();
        var producers = Enumerable.Range(0, 3)
            .Select(i => new Producer($"redis-p{i}-{Guid.NewGuid():N}"[..20], keys, 20, 1000 + i, http.Sender(Dataset)))
            .ToList();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var running = producers.Select(p => Task.Run(() => p.RunAsync(clock, 100_000, TimeSpan.FromSeconds(60), TimeSpan.Zero, stop.Token))).ToArray();

        var outages = new List<TimeSpan>();
        var recoveries = new List<TimeSpan>();
        // Ingest under way first (every producer acknowledged a batch; a loaded machine can take seconds to warm up).
        while (producers.Any(p => p.EventsAcknowledged == 0) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        for (var round = 0; round < 2; round++)
        {
            var acknowledgedBefore = producers.Sum(p => p.EventsAcknowledged);
            Assert.True(acknowledgedBefore > 0, "nothing was acknowledged before the kill");
            cluster.Redis.Kill();
            var down = clock.Elapsed;
            output.WriteLine($"round {round}: redis-server killed at {down.TotalSeconds:F1} s after {acknowledgedBefore} acknowledged events");
            await Task.Delay(4500); // longer than the 3 s isolation-fence timeout: silos must keep serving
            await cluster.Redis.RestartAsync();
            var up = clock.Elapsed;
            outages.Add(up - down);

            // Ingest resumes: the first acknowledgement of a batch after Redis answered again.
            var deadline = up + TimeSpan.FromSeconds(30);
            while (!producers.Any(p => p.AckTimes.Any(t => t > up)) && clock.Elapsed < deadline)
            {
                await Task.Delay(50);
            }

            var first = producers.SelectMany(p => p.AckTimes).Where(t => t > up).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            Assert.True(first != TimeSpan.MaxValue, "ingest did not resume within 30 s of Redis coming back");
            recoveries.Add(first - up);
            output.WriteLine($"round {round}: ingest resumed {(first - up).TotalMilliseconds:F0} ms after redis-server restarted");
            await Task.Delay(2500);
        }

        await stop.CancelAsync();
        await Task.WhenAll(running);
        Assert.Empty(cluster.UnexpectedExits());
        Assert.Empty(cluster.Fenced());

        var check = await LedgerCheck.RunAsync(keys, producers, (k, ct) => http.CountAsync(Dataset, k, ct), TimeSpan.FromSeconds(20));
        report.Add("silos", 3);
        report.Add("redis kill -9 + restart", $"{outages.Count} (down {ChaosReport.Percentiles(outages)})");
        report.Add("events sent / acknowledged / counted", $"{producers.Sum(p => p.EventsSent)} / {producers.Sum(p => p.EventsAcknowledged)} / {check.Counted}");
        report.Add("batches / send attempts / failed attempts", $"{producers.Sum(p => p.Batches)} / {producers.Sum(p => p.Attempts)} / {producers.Sum(p => p.Failures)}");
        report.Add("abandoned batches", producers.Sum(p => p.Abandoned));
        report.AddTimes("ingest resumed after restart", recoveries);
        report.Add("lost / doubled / stuck keys", $"{check.EventsLost} / {check.EventsDoubled} / {check.Stuck.Count}");
        report.Add("silos fenced or dead", $"{cluster.Fenced().Count()} / {cluster.UnexpectedExits().Count()}");
        report.Publish(output);

        Assert.Equal(0, producers.Sum(p => p.Abandoned));
        Assert.True(check.Stuck.Count == 0 && check.EventsLost == 0 && check.EventsDoubled == 0, check.ToString());
        Assert.Equal(producers.Sum(p => p.EventsSent), check.Counted);
    }
}
