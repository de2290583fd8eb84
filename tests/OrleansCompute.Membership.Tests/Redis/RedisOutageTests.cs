using System.Diagnostics;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.GrainDirectory;
using OrleansCompute.Membership.Tests.Support;
using OrleansCompute.Runtime;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Membership.Tests.Redis;

/// <summary>Durability and failure behaviour; each test kills or freezes its own redis-server.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan s_operationTimeout = TimeSpan.FromSeconds(2);

    // Generous bound on how long a failing operation may take: the timeout plus connection bookkeeping.
    private static readonly TimeSpan s_failureBound = TimeSpan.FromSeconds(10);

    private readonly string _clusterId = "outage-" + Guid.NewGuid().ToString("N")[..8];
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Membership_rows_and_version_survive_a_kill_9_and_restart()
    {
        var address = Silos.NewAddress();
        var vote = new SuspectVote(Silos.NewAddress(), DateTimeOffset.UnixEpoch.AddDays(20000));
        TableVersion version;
        await using (var table = RedisProviders.Table(_server.ConnectionString, _clusterId))
        {
            await table.InitializeMembershipTable(true);
            var read = await table.ReadAll();
            Assert.True(await table.InsertRow(Silos.Entry(address) with { SuspectTimes = [vote] }, read.Version.Next()));
            await table.UpdateIAmAlive(Silos.Entry(address) with { IAmAliveTime = DateTimeOffset.UnixEpoch.AddDays(20001) });
            version = (await table.ReadAll()).Version;
        }

        _server.Kill();
        await _server.RestartAsync();

        await using var reopened = RedisProviders.Table(_server.ConnectionString, _clusterId);
        var after = await reopened.ReadAll();
        Assert.Equal(version, after.Version);
        var entry = Assert.Single(after.Members).Entry;
        Assert.Equal(address, entry.SiloAddress);
        Assert.Equal([vote], entry.SuspectTimes);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(20001), entry.IAmAliveTime);
    }

    [Fact]
    public async Task Directory_entries_survive_a_kill_9_and_restart()
    {
        var address = new GrainAddress(new GrainId("durable", Guid.NewGuid().ToString("N")), Silos.NewAddress(), Guid.NewGuid());
        await using (var directory = RedisProviders.Directory(_server.ConnectionString, _clusterId))
        {
            await directory.Register(address);
        }

        _server.Kill();
        await _server.RestartAsync();

        await using var reopened = RedisProviders.Directory(_server.ConnectionString, _clusterId);
        Assert.Equal(address, await reopened.Lookup(address.GrainId));
        await reopened.UnregisterSilos([address.SiloAddress]);
        Assert.Null(await reopened.Lookup(address.GrainId));
    }

    [Fact]
    public async Task While_redis_is_down_table_operations_fail_fast_naming_the_endpoint_and_work_again_after_restart()
    {
        await using var table = RedisProviders.Table(_server.ConnectionString, _clusterId, timeout: s_operationTimeout);
        await table.InitializeMembershipTable(true);
        var address = Silos.NewAddress();
        Assert.True(await table.InsertRow(Silos.Entry(address), (await table.ReadAll()).Version.Next()));

        _server.Kill();

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RedisClusteringException>(() => table.ReadAll());
        Assert.True(watch.Elapsed < s_failureBound, $"the failure took {watch.Elapsed}");
        Assert.Contains(_server.ConnectionString, error.Message, StringComparison.Ordinal);
        Assert.Contains(_clusterId, error.Message, StringComparison.Ordinal);
        watch.Restart();
        await Assert.ThrowsAsync<RedisClusteringException>(() => table.UpdateIAmAlive(Silos.Entry(address)));
        Assert.True(watch.Elapsed < s_failureBound, $"the failure took {watch.Elapsed}");

        await _server.RestartAsync();

        var read = await EventuallyAsync(() => table.ReadAll());
        Assert.Equal(address, Assert.Single(read.Members).Entry.SiloAddress);
        Assert.True(await table.InsertRow(Silos.Entry(Silos.NewAddress()), read.Version.Next()));
    }

    [Fact]
    public async Task A_frozen_server_makes_directory_operations_time_out_instead_of_hanging()
    {
        await using var directory = RedisProviders.Directory(_server.ConnectionString, _clusterId, timeout: s_operationTimeout);
        var address = new GrainAddress(new GrainId("frozen", Guid.NewGuid().ToString("N")), Silos.NewAddress(), Guid.NewGuid());
        await directory.Register(address);

        _server.Pause();
        try
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<RedisClusteringException>(() => directory.Lookup(address.GrainId));
            Assert.True(watch.Elapsed < s_failureBound, $"the failure took {watch.Elapsed}");
            Assert.IsType<TimeoutException>(error.InnerException);
            Assert.Contains(_server.ConnectionString, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            _server.Resume();
        }

        Assert.Equal(address, await EventuallyAsync(() => directory.Lookup(address.GrainId)));
    }

    [Fact]
    public async Task A_provider_created_while_redis_is_down_works_once_it_is_up()
    {
        await _server.StopAsync();
        await using var table = RedisProviders.Table(_server.ConnectionString, _clusterId, timeout: s_operationTimeout);

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<RedisClusteringException>(() => table.InitializeMembershipTable(true));
        Assert.True(watch.Elapsed < s_failureBound, $"the failure took {watch.Elapsed}");

        await _server.RestartAsync();

        await EventuallyAsync(async () =>
        {
            await table.InitializeMembershipTable(true);
            return true;
        });
        Assert.Equal(0, (await table.ReadAll()).Version.Version);
    }

    /// <summary>Retries <paramref name="operation"/> while it fails with <see cref="RedisClusteringException"/>, for up to 30 s.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> operation)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await operation();
            }
            catch (RedisClusteringException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }
        }
    }
}
