using System.Diagnostics;
using System.Globalization;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Integration.Tests;

/// <summary>Redis (membership table and grain storage) dies or loses its data under a running cluster of Orleans silo processes.</summary>
[Collection("integration")]
public sealed class RedisOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Active_grains_keep_answering_while_Redis_is_down_no_silo_fences_and_nothing_persisted_is_lost()
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "outage-" + Guid.NewGuid().ToString("N")[..6];
        var silos = await Task.WhenAll(Enumerable.Range(1, 2).Select(i =>
            SiloProcess.StartAsync(new SiloProcessOptions { Name = $"silo{i}", Redis = redis.ConnectionString, ClusterId = clusterId })));
        try
        {
            await using var cluster = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId);
            var keys = Enumerable.Range(0, 100).Select(i => $"o{i}").ToArray();
            foreach (var key in keys)
            {
                await cluster.GetGrain<ICounterGrain>(key).Add(3);
            }

            redis.Kill();
            var down = Stopwatch.StartNew();
            output.WriteLine("redis-server killed");

            // Active grains answer from memory for longer than the isolation-fence timeout (3 s): the silos reach each
            // other, so the watchdog must not stop them although neither can read the membership table.
            while (down.Elapsed < TimeSpan.FromSeconds(5))
            {
                foreach (var key in keys)
                {
                    Assert.Equal(3, await cluster.GetGrain<ICounterGrain>(key).Get());
                }

                await Task.Delay(200);
            }

            // A brand-new grain must read its state from storage: it fails while Redis is down, with an error saying why.
            var error = await Assert.ThrowsAnyAsync<Exception>(() => cluster.GetGrain<ICounterGrain>("fresh-during-outage").Get());
            output.WriteLine($"new activation during the outage ({down.Elapsed.TotalSeconds:F1} s down): {error.GetType().Name}: {error.Message}");
            Assert.All(silos, s => Assert.False(s.HasExited, $"{s.Name} exited during a Redis-only outage:\n{s.Output}"));

            await redis.RestartAsync();
            output.WriteLine($"redis-server restarted after {down.Elapsed.TotalSeconds:F1} s");
            var restarted = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    Assert.Equal(1, await cluster.GetGrain<ICounterGrain>("fresh-after-outage").Add(1));
                    break;
                }
                catch (Exception ex) when (restarted.Elapsed < TimeSpan.FromSeconds(20) && ex is not Xunit.Sdk.XunitException)
                {
                    await Task.Delay(200);
                }
            }

            output.WriteLine($"new activations resumed {restarted.ElapsedMilliseconds} ms after Redis came back");
            // Writes to already-active grains work again too (a failed write deactivates the grain, which re-reads its
            // state, so retrying cannot double count).
            foreach (var key in keys)
            {
                var grain = cluster.GetGrain<ICounterGrain>(key);
                var retry = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        await grain.Add(2);
                        break;
                    }
                    catch (Exception ex) when (retry.Elapsed < TimeSpan.FromSeconds(20) && ex is not Xunit.Sdk.XunitException)
                    {
                        await Task.Delay(200);
                    }
                }

                Assert.Equal(5, await grain.Get());
            }

            Assert.All(silos, s => Assert.False(s.HasExited, $"{s.Name} died:\n{s.Output}"));
            Assert.All(silos, s => Assert.DoesNotContain("stops serving", s.Output, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A silo told to stop while Redis (membership table and grain storage) is gone still exits within its drain time:
    /// Orleans 10.4.2 gives each of its last membership writes (Stopping, then Dead) a minute of retries of its own, past
    /// the host's shutdown timeout (before the stop deadline: exit 0 two minutes after the drain time). The silo's stop
    /// deadline ends it at the drain time, exit code 124, with a line saying what was not persisted. After Redis is back,
    /// a silo of a new cluster (the same service, so the same stored state) reads every counter acknowledged before.
    /// </summary>
    [Fact]
    public async Task A_silo_told_to_stop_while_Redis_is_down_exits_within_its_drain_time_and_loses_nothing_acknowledged()
    {
        var drainTime = TimeSpan.FromSeconds(6);
        // The deadline fires 0.6 s before the drain time (StopDeadline.ExitAllowance) for the signal's way into the host and
        // the exit (one log line, 100 ms for the console logger, _exit(2), this process seeing it): 0.4–0.6 s at load
        // 17–28 on 2 cores, up to 1 s seen at load 32. The margin covers a machine busier still; without the deadline the
        // silo exits two minutes after its drain time.
        var margin = TimeSpan.FromSeconds(2);
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "stop-" + Guid.NewGuid().ToString("N")[..6];
        var drain = string.Create(CultureInfo.InvariantCulture, $"--OrleansCompute:Hosting:DrainTimeout={drainTime}");
        var silos = (await Task.WhenAll(Enumerable.Range(1, 2).Select(i => SiloProcess.StartAsync(new SiloProcessOptions
        {
            Name = $"silo{i}",
            Redis = redis.ConnectionString,
            ClusterId = clusterId,
            ApiPort = 0,
            ExtraArguments = [drain],
        })))).ToList();
        var keys = Enumerable.Range(0, 40).Select(i => $"s{i}").ToArray();
        try
        {
            await using (var cluster = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId))
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    Assert.Equal(i + 1, await cluster.GetGrain<ICounterGrain>(keys[i]).Add(i + 1));
                }
            }

            redis.Kill();
            var victim = silos[0];
            var stopping = Stopwatch.StartNew();
            victim.Terminate();
            await Task.WhenAny(victim.WaitForExitAsync(), Task.Delay(drainTime + TimeSpan.FromSeconds(30)));
            var exited = victim.HasExited;
            var took = stopping.Elapsed;
            output.WriteLine($"{victim.Name} (Redis down) exited {(exited ? victim.ExitCode.ToString(CultureInfo.InvariantCulture) : "not")} {took.TotalSeconds:F2} s after SIGTERM (drain time {drainTime.TotalSeconds} s)");
            Assert.True(exited, $"{victim.Name} did not exit:\n{victim.Output}");
            var line = victim.Output.Split('\n').FirstOrDefault(l => l.Contains("ran out of its drain time", StringComparison.Ordinal));
            output.WriteLine(line ?? "(no deadline line)");
            Assert.True(victim.ExitCode == 124, $"{victim.Name} exited {victim.ExitCode}:\n{victim.Output}");
            Assert.True(took <= drainTime + margin, $"the stop took {took}, more than the drain time {drainTime} + {margin}");
            Assert.NotNull(line);
            Assert.Contains("exits now with code 124", line, StringComparison.Ordinal);
            Assert.Contains("Not persisted: whatever the", line, StringComparison.Ordinal);
            Assert.Contains("membership row was not written Dead", line, StringComparison.Ordinal);
            await victim.DisposeAsync();
            await silos[1].DisposeAsync();
            silos.Clear();

            // Redis back; a new cluster of the same service activates the counters afresh: each reads its stored state.
            await redis.RestartAsync();
            silos.Add(await SiloProcess.StartAsync(new SiloProcessOptions { Name = "after", Redis = redis.ConnectionString, ClusterId = clusterId + "-after" }));
            await using var after = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId + "-after");
            for (var i = 0; i < keys.Length; i++)
            {
                Assert.Equal(i + 1, await after.GetGrain<ICounterGrain>(keys[i]).Get());
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// dotnet/orleans#7784 with real processes: Redis loses its data (FLUSHALL: membership rows and grain state gone).
    /// Orleans alone would keep both silos running outside any membership; the isolation watchdog stops a silo whose row
    /// stays missing from a readable table (exit code 75), and the test, as the supervisor, restarts any silo process
    /// that ended: within 30 s two silos are Active in the (new) table as new members, and a new grain activates and persists.
    /// </summary>
    [Fact]
    public async Task The_cluster_serves_again_when_Redis_loses_its_data()
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "flush-" + Guid.NewGuid().ToString("N")[..6];
        var silos = await Task.WhenAll(Enumerable.Range(1, 2).Select(i => Start($"silo{i}")));
        try
        {
            var before = (await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId)).Where(r => r.IsActive).Select(r => r.Address).ToList();
            Assert.Equal(2, before.Count);
            await using var cluster = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId);
            Assert.Equal(1, await cluster.GetGrain<ICounterGrain>("before-flush").Add(1));

            using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true"))
            {
                await admin.GetServer(redis.ConnectionString).FlushAllDatabasesAsync();
            }

            var watch = Stopwatch.StartNew();
            var restarts = 0;
            while (true)
            {
                for (var i = 0; i < silos.Length; i++)
                {
                    if (silos[i].HasExited)
                    {
                        output.WriteLine($"{watch.ElapsedMilliseconds} ms: {silos[i].Name} exited with {silos[i].ExitCode}; restarting it");
                        await silos[i].DisposeAsync();
                        silos[i] = await Start($"silo{i + 1}-r{++restarts}");
                    }
                }

                var active = (await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId)).Where(r => r.IsActive).ToList();
                var served = false;
                if (active.Count == 2)
                {
                    try
                    {
                        served = await cluster.GetGrain<ICounterGrain>("after-flush").Add(1).WaitAsync(TimeSpan.FromSeconds(3)) >= 1;
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        served = false;
                    }
                }

                if (served && active.All(r => !before.Contains(r.Address)))
                {
                    output.WriteLine($"serving again {watch.ElapsedMilliseconds} ms after the flush; active: {string.Join(", ", active.Select(r => $"{r.SiloName} {r.Address}"))}; {restarts} restart(s)");
                    break;
                }

                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the cluster did not serve again; active: [{string.Join(", ", active.Select(r => r.Address))}]");
                await Task.Delay(200);
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }

        Task<SiloProcess> Start(string name) => SiloProcess.StartAsync(new SiloProcessOptions { Name = name, Redis = redis.ConnectionString, ClusterId = clusterId });
    }
}
