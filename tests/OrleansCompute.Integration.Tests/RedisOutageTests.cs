using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansCompute.Client;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Integration.Tests;

/// <summary>Redis dies (kill -9, AOF on) under a running cluster of silo processes, then comes back.</summary>
[Collection("integration")]
public sealed class RedisOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Active_grains_keep_answering_while_Redis_is_down_and_nothing_persisted_is_lost()
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "outage-" + Guid.NewGuid().ToString("N")[..6];
        const string secret = "integration-secret-0123456789";
        var silos = await Task.WhenAll(Enumerable.Range(1, 2).Select(i => SiloProcess.StartAsync($"silo{i}", redis.ConnectionString, clusterId, secret)));
        try
        {
            await using var table = new RedisMembershipTable(Options.Create(new RedisClusteringOptions { ConnectionString = redis.ConnectionString }),
                Options.Create(new SiloOptions { ClusterId = clusterId }));
            await using var client = new ClusterClient(new ClusterClientOptions
            {
                ClusterId = clusterId,
                ClusterSecret = secret,
                ResponseTimeout = TimeSpan.FromSeconds(10),
            }, new ServiceCollection().BuildServiceProvider(), table, TimeProvider.System, NullLogger<ClusterClient>.Instance);
            await client.ConnectAsync();

            var keys = Enumerable.Range(0, 100).Select(i => $"o{i}").ToArray();
            foreach (var key in keys)
            {
                await client.GetGrain<ICounterGrain>(key).Add(3);
            }

            redis.Kill();
            output.WriteLine("redis-server killed");
            for (var round = 0; round < 3; round++)
            {
                foreach (var key in keys)
                {
                    Assert.Equal(3, await client.GetGrain<ICounterGrain>(key).Get());
                }

                await Task.Delay(500);
            }

            // A brand-new grain needs the directory: it fails while Redis is down, with an error saying why.
            var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetGrain<ICounterGrain>("fresh-during-outage").Get());
            output.WriteLine($"new activation during the outage: {error.GetType().Name}: {error.Message}");

            await redis.RestartAsync();
            var restarted = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    Assert.Equal(1, await client.GetGrain<ICounterGrain>("fresh-after-outage").Add(1));
                    break;
                }
                catch (Exception ex) when (restarted.Elapsed < TimeSpan.FromSeconds(20) && ex is not Xunit.Sdk.XunitException)
                {
                    await Task.Delay(200);
                }
            }

            output.WriteLine($"new activations resumed {restarted.ElapsedMilliseconds} ms after Redis came back");
            // Writes to already-active grains work again too (a write refused while the storage connection
            // reconnects made the grain re-read its state, so retrying cannot double count).
            foreach (var key in keys)
            {
                var grain = client.GetGrain<ICounterGrain>(key);
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
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>dotnet/orleans#7784 with real processes: Redis loses its data; silos must rejoin, not loop or die.</summary>
    [Fact]
    public async Task Silos_rejoin_as_new_members_when_Redis_loses_its_data()
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "flush-" + Guid.NewGuid().ToString("N")[..6];
        const string secret = "integration-secret-0123456789";
        var silos = await Task.WhenAll(Enumerable.Range(1, 2).Select(i => SiloProcess.StartAsync($"silo{i}", redis.ConnectionString, clusterId, secret)));
        try
        {
            await using var table = new RedisMembershipTable(Options.Create(new RedisClusteringOptions { ConnectionString = redis.ConnectionString }),
                Options.Create(new SiloOptions { ClusterId = clusterId }));
            var before = (await table.ReadAll()).Members.Select(m => m.Entry.SiloAddress).ToList();
            Assert.Equal(2, before.Count);

            Stopwatch watch;
            using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true"))
            {
                await admin.GetServer(redis.ConnectionString).FlushAllDatabasesAsync();
                watch = Stopwatch.StartNew();
            }

            while (true)
            {
                var active = (await table.ReadAll()).Members.Where(m => m.Entry.Status == Membership.SiloStatus.Active).Select(m => m.Entry.SiloAddress).ToList();
                if (active.Count == 2 && active.All(a => !before.Contains(a)))
                {
                    output.WriteLine($"both silos rejoined as new members {watch.ElapsedMilliseconds} ms after the flush: {string.Join(", ", active)}");
                    break;
                }

                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"silos did not rejoin; active: [{string.Join(", ", active)}]");
                await Task.Delay(100);
            }

            await using var client = new ClusterClient(new ClusterClientOptions { ClusterId = clusterId, ClusterSecret = secret },
                new ServiceCollection().BuildServiceProvider(), table, TimeProvider.System, NullLogger<ClusterClient>.Instance);
            await client.ConnectAsync();
            Assert.Equal(1, await client.GetGrain<ICounterGrain>("after-flush").Add(1));
            Assert.All(silos, s => Assert.False(s.HasExited, $"{s.Name} died:\n{s.Output}"));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
