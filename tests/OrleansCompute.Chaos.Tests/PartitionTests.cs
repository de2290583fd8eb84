using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Testing.Servers;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// Silos as separate hosts: Redis and three Orleans silo processes, each in its own Linux network namespace on a bridge
/// the test creates. One silo is cut off from its peers and from Redis (its bridge link goes down) while a client on its
/// side of the cut (a point-to-point link the cut leaves up) keeps writing through it. The product's isolation watchdog
/// must stop that silo within 5 s of the cut (Orleans alone would keep it serving: it never reads that it was declared
/// dead), and the claim on activation must keep any late write of its from landing over the majority's activations.
/// </summary>
[Collection("chaos")]
public sealed class PartitionTests(ITestOutputHelper output)
{
    private const int SiloPort = 11111;
    private const int GatewayPort = 30000;
    private const long CutSideDelta = 1000;

    /// <summary>OrleansCompute.Hosting.IsolationWatchdog.ExitCode (the grains implementation is not referenced here).</summary>
    private const int FenceExitCode = 75;

    [NetworkNamespaceFact]
    public async Task A_cut_off_silo_fences_itself_its_grains_move_to_the_majority_no_late_write_lands_and_it_rejoins_as_a_new_member()
    {
        var report = new ChaosReport("network partition");
        using var lab = NetworkLab.Create();
        output.WriteLine(lab.ToString());
        var redisAddress = lab.AddHost("redis", 10);
        var siloAddresses = Enumerable.Range(1, 3).Select(i => lab.AddHost($"silo{i}", i)).ToArray();
        // The test process reaches silo3's own address over a side link the cut leaves up: the cut-side client.
        lab.AddSideLink("silo3", routeHostAddress: true);
        var clusterId = "part-" + Guid.NewGuid().ToString("N")[..6];
        var silos = new SiloProcess?[3];
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions
        {
            BindAddress = redisAddress,
            Port = 6379,
            NetworkNamespace = lab.Namespace("redis"),
        });
        try
        {
            SiloProcessOptions SiloStart(int i) => new()
            {
                Name = $"silo{i + 1}",
                Redis = redis.ConnectionString,
                ClusterId = clusterId,
                AdvertisedAddress = siloAddresses[i],
                ListenAddress = "0.0.0.0",
                SiloPort = SiloPort,
                GatewayPort = GatewayPort,
                NetworkNamespace = lab.Namespace($"silo{i + 1}"),
            };

            var started = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SiloProcess.StartAsync(SiloStart(i))));
            started.CopyTo(silos, 0);

            await using var majority = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId, TimeSpan.FromSeconds(5));
            var management = majority.Client.GetGrain<IManagementGrain>(0);
            var before = await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId);
            var victimRow = before.Single(r => r.SiloName == "silo3");
            var victimAddress = victimRow.Address;
            Assert.Equal(3, before.Count(r => r.IsActive));

            // Persisted counters; keep the ones whose activation lives on the silo we will cut off.
            var ledger = new ConcurrentDictionary<string, long>();
            var onVictim = new List<string>();
            for (var i = 0; i < 400 && onVictim.Count < 12; i++)
            {
                var key = $"part-{i}";
                var grain = majority.GetGrain<ICounterGrain>(key);
                for (var n = 0; n < 3; n++)
                {
                    await grain.Add(1);
                }

                ledger[key] = 3;
                if ((await management.GetActivationAddress(grain))?.Endpoint.Address.ToString() == siloAddresses[2])
                {
                    onVictim.Add(key);
                }
            }

            output.WriteLine($"{onVictim.Count} counters live on silo3 ({victimAddress}); {ledger.Count} counters in all");
            Assert.True(onVictim.Count >= 3, "too few counters were placed on silo3");

            // A client on silo3's side of the cut writes +1000 to those counters through silo3's gateway, non-stop.
            await using var cutSide = await SiloClusterClient.ConnectToGatewaysAsync([$"{siloAddresses[2]}:{GatewayPort}"], clusterId, TimeSpan.FromSeconds(2));
            var clock = Stopwatch.StartNew();
            var attempts = new ConcurrentBag<(string Key, TimeSpan Start, TimeSpan End, bool Acknowledged)>();
            using var stopWriter = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                for (var i = 0; i < 100_000 && !stopWriter.IsCancellationRequested; i++)
                {
                    var key = onVictim[i % onVictim.Count];
                    var start = clock.Elapsed;
                    try
                    {
                        await cutSide.GetGrain<ICounterGrain>(key).Add(CutSideDelta);
                        attempts.Add((key, start, clock.Elapsed, true));
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        attempts.Add((key, start, clock.Elapsed, false));
                        await Task.Delay(50);
                    }
                }
            });

            await Task.Delay(1500);
            Assert.Contains(attempts, a => a.Acknowledged);
            var cutAt = clock.Elapsed;
            lab.Cut("silo3");
            var cutDoneAt = clock.Elapsed;
            output.WriteLine($"cut silo3 off at {cutAt.TotalMilliseconds:F0}–{cutDoneAt.TotalMilliseconds:F0} ms");

            // silo3 fences itself within 5 s: it logs so and stops accepting calls; then its process ends.
            var victim = silos[2]!;
            var fencedAt = TimeSpan.Zero;
            while (clock.Elapsed - cutAt < TimeSpan.FromSeconds(15))
            {
                if (victim.Output.Contains("stops serving", StringComparison.Ordinal) || victim.HasExited)
                {
                    fencedAt = clock.Elapsed;
                    break;
                }

                await Task.Delay(20);
            }

            Assert.True(fencedAt > TimeSpan.Zero, $"silo3 did not fence itself:\n{victim.Output}");
            var fenceDelay = fencedAt - cutAt;
            output.WriteLine($"silo3 fenced {fenceDelay.TotalMilliseconds:F0} ms after the cut");
            Assert.True(fenceDelay <= TimeSpan.FromSeconds(5), $"silo3 fenced only {fenceDelay} after the cut:\n{victim.Output}");
            using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await victim.WaitForExitAsync(exit.Token); // also waits for the end of its output: the fence line can still be in the pipe at exit
            }

            Assert.Contains("isolated", victim.Output, StringComparison.Ordinal);
            Assert.Equal(FenceExitCode, victim.ExitCode);

            var exitedAt = clock.Elapsed;

            // Its grains come back on the majority side with every acknowledged write (each counter retried on its own,
            // 1 s per try; "recovered" = when the last one answered).
            var declaredDead = WaitDeclaredDeadAsync(redis.ConnectionString, clusterId, victimAddress, clock, cutAt + TimeSpan.FromSeconds(30));
            var answers = await Task.WhenAll(onVictim.Select(async key =>
            {
                while (clock.Elapsed - cutAt < TimeSpan.FromSeconds(30))
                {
                    try
                    {
                        var value = await majority.GetGrain<ICounterGrain>(key).Get().WaitAsync(TimeSpan.FromSeconds(1));
                        return (Key: key, Value: (long?)value, At: clock.Elapsed);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        await Task.Delay(50);
                    }
                }

                return (Key: key, Value: (long?)null, At: clock.Elapsed);
            }));
            var values = answers.Where(a => a.Value is not null).ToDictionary(a => a.Key, a => a.Value!.Value);
            var recovered = answers.Max(a => a.At) - cutAt;
            var deadAt = await declaredDead;
            Assert.Equal(onVictim.Count, values.Count);
            output.WriteLine($"all {onVictim.Count} counters of silo3 answered on the majority {recovered.TotalMilliseconds:F0} ms after the cut");
            foreach (var key in onVictim)
            {
                var location = await management.GetActivationAddress(majority.GetGrain<ICounterGrain>(key));
                Assert.NotNull(location);
                Assert.NotEqual(siloAddresses[2], location.Endpoint.Address.ToString());
            }

            Assert.True(deadAt is not null, "the majority did not declare silo3 dead within 30 s of the cut");

            // The writer keeps trying through the cut-off side for a while longer, then stops.
            await Task.Delay(1500);
            await stopWriter.CancelAsync();
            await writer;

            // The stored records of silo3's counters, read straight from Redis once the majority owns them.
            var fencePoint = await ReadRecordsAsync(redis.ConnectionString, onVictim);

            // Heal; the supervisor (this test) restarts the fenced silo, which joins as a new member.
            lab.Heal("silo3");
            var healedAt = clock.Elapsed;
            await Task.Delay(3000); // anything queued on the cut-off side would land now
            silos[2] = await SiloProcess.StartAsync(SiloStart(2));
            var rejoined = clock.Elapsed - healedAt;
            var after = await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId);
            var newRow = after.Where(r => r.Endpoint == victimRow.Endpoint && r.IsActive).OrderByDescending(r => r.Generation).FirstOrDefault();
            Assert.NotNull(newRow);
            Assert.True(newRow.Generation > victimRow.Generation, $"{newRow.Address} is not a new generation of {victimAddress}");
            Assert.True(after.Single(r => r.Address == victimAddress).IsDead);
            await Task.Delay(1500);

            // No write from the cut-off side landed after the fence point: the records (value and ETag) are unchanged.
            var healed = await ReadRecordsAsync(redis.ConnectionString, onVictim);
            Assert.Equal(fencePoint, healed);

            // Values: every acknowledged write is there (0 lost); beyond it only writes that were in flight before the cut.
            var acknowledged = attempts.Where(a => a.Acknowledged).ToList();
            var lateAcks = acknowledged.Count(a => a.End > fencedAt);
            var acksAfterCut = acknowledged.Count(a => a.Start > cutDoneAt);
            Assert.Equal(0, lateAcks);
            Assert.Equal(0, acksAfterCut);
            foreach (var key in onVictim)
            {
                var mine = acknowledged.Count(a => a.Key == key);
                var inFlightAtCut = attempts.Count(a => a.Key == key && !a.Acknowledged && a.Start < cutDoneAt);
                var value = await majority.GetGrain<ICounterGrain>(key).Get();
                var floor = ledger[key] + (mine * CutSideDelta);
                Assert.True(value >= floor, $"{key}: {value} < acknowledged {floor} (lost a write)");
                Assert.True(value <= floor + (inFlightAtCut * CutSideDelta), $"{key}: {value} has writes that started after the cut");
                Assert.Equal(0, (value - ledger[key]) % CutSideDelta);
                Assert.Equal(values[key], value);
            }

            // The majority serves and writes them again.
            foreach (var key in onVictim)
            {
                Assert.Equal(values[key] + 1, await majority.GetGrain<ICounterGrain>(key).Add(1));
            }

            report.Add("silos / cut off", $"3 (namespaces on 10.213.{lab.Subnet}.0/24) / silo3 (bridge link down)");
            report.Add("cut-side writes tried / acknowledged", $"{attempts.Count} / {acknowledged.Count}");
            report.Add("acknowledged: started after the cut / ended after the fence", $"{acksAfterCut} / {lateAcks}");
            report.Add("fence after cut", $"{fenceDelay.TotalMilliseconds:F0} ms (process exited after {(exitedAt - cutAt).TotalMilliseconds:F0} ms)");
            report.Add("silo3 declared dead (row) after cut", $"{(deadAt!.Value - cutAt).TotalMilliseconds:F0} ms");
            report.Add("grains answering on the majority after cut", $"{recovered.TotalMilliseconds:F0} ms ({onVictim.Count} counters)");
            report.Add("records changed after the fence point", $"0 of {onVictim.Count}");
            report.Add("fenced silo's exit code", victim.ExitCode);
            report.Add("rejoined as new member", $"{newRow.Address} (was {victimAddress}), {rejoined.TotalMilliseconds:F0} ms after heal");
            report.Publish(output);
        }
        finally
        {
            foreach (var silo in silos)
            {
                if (silo is not null)
                {
                    await silo.DisposeAsync();
                }
            }
        }
    }

    /// <summary>When (on <paramref name="clock"/>) the row of <paramref name="address"/> says Dead; null at <paramref name="until"/>.</summary>
    internal static async Task<TimeSpan?> WaitDeclaredDeadAsync(string redis, string clusterId, string address, Stopwatch clock, TimeSpan until)
    {
        while (clock.Elapsed < until)
        {
            if ((await SiloClusterClient.ReadMembershipAsync(redis, clusterId)).Any(r => r.Address == address && r.IsDead))
            {
                return clock.Elapsed;
            }

            await Task.Delay(50);
        }

        return null;
    }

    /// <summary>
    /// The raw stored records (ETag and data) of the counters, by key, straight from Redis (Orleans's Redis grain storage:
    /// one hash per grain and state, <c>{ServiceId}/state/{GrainId}/{state name}</c>).
    /// </summary>
    private static async Task<Dictionary<string, string>> ReadRecordsAsync(string redis, List<string> keys)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        var result = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            var fields = await db.HashGetAllAsync($"{SiloClusterClient.DefaultServiceId}/state/counter/{key}/counter");
            Assert.NotEmpty(fields);
            result[key] = string.Join(";", fields.OrderBy(f => f.Name.ToString(), StringComparer.Ordinal).Select(f => $"{f.Name}={f.Value}"));
        }

        return result;
    }
}
