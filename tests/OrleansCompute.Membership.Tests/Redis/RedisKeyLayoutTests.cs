using OrleansCompute.GrainDirectory;
using OrleansCompute.Membership.Tests.Support;
using OrleansCompute.Runtime;
using OrleansCompute.Testing.Servers;
using StackExchange.Redis;

namespace OrleansCompute.Membership.Tests.Redis;

/// <summary>The documented key layout, and that service ids and cluster ids never share keys.</summary>
[Collection(RedisServerFixture.CollectionName)]
public sealed class RedisKeyLayoutTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private ConnectionMultiplexer _raw = null!;

    public async Task InitializeAsync() => _raw = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        _raw.Dispose();
    }

    private T Own<T>(T provider)
        where T : IAsyncDisposable
    {
        _owned.Add(provider);
        return provider;
    }

    [Fact]
    public async Task The_table_is_one_hash_under_service_and_cluster_and_the_directory_one_hash_per_grain()
    {
        var serviceId = "layout-" + _suffix;
        var table = Own(RedisProviders.Table(redis.ConnectionString, "prod", serviceId));
        var directory = Own(RedisProviders.Directory(redis.ConnectionString, "prod", serviceId));
        var silo = Silos.NewAddress();
        await table.InitializeMembershipTable(true);
        await table.InsertRow(Silos.Entry(silo), (await table.ReadAll()).Version.Next());
        var address = new GrainAddress(new GrainId("counter", "k/1"), silo, Guid.NewGuid());
        await directory.Register(address);

        var db = _raw.GetDatabase();
        Assert.Equal($"{serviceId}/prod/members", table.TableKeyName);
        var fields = (await db.HashGetAllAsync(table.TableKeyName)).ToDictionary(f => (string)f.Name!, f => (string)f.Value!);
        Assert.Equal("1", fields["version"]);
        Assert.Contains($"row/{silo}", fields.Keys);
        Assert.Contains($"etag/{silo}", fields.Keys);
        Assert.Contains($"alive/{silo}", fields.Keys);
        Assert.Contains($"\"SiloAddress\":\"{silo}\"", fields[$"row/{silo}"], StringComparison.Ordinal);

        var grainKey = $"{serviceId}/prod/dir/counter/k%2F1";
        Assert.Equal(grainKey, directory.GrainKey(address.GrainId));
        Assert.Equal(silo.ToParsableString(), (string)(await db.HashGetAsync(grainKey, "silo"))!);
        Assert.Equal(address.ActivationId.ToString("N"), (string)(await db.HashGetAsync(grainKey, "activation"))!);
        Assert.True(await db.SetContainsAsync($"{serviceId}/prod/silo/{silo}", address.ActivationId.ToString("N") + grainKey));
    }

    [Fact]
    public async Task Different_service_ids_with_the_same_cluster_id_do_not_share_a_table_or_a_directory()
    {
        var clusterId = "shared-" + _suffix;
        var first = Own(RedisProviders.Table(redis.ConnectionString, clusterId, "service-a-" + _suffix));
        var second = Own(RedisProviders.Table(redis.ConnectionString, clusterId, "service-b-" + _suffix));
        var silo = Silos.NewAddress();

        Assert.True(await first.InsertRow(Silos.Entry(silo), (await first.ReadAll()).Version.Next()));

        var other = await second.ReadAll();
        Assert.Empty(other.Members);
        Assert.Equal(0, other.Version.Version);

        var grain = new GrainId("isolated", _suffix);
        var directoryA = Own(RedisProviders.Directory(redis.ConnectionString, clusterId, "service-a-" + _suffix));
        var directoryB = Own(RedisProviders.Directory(redis.ConnectionString, clusterId, "service-b-" + _suffix));
        var here = new GrainAddress(grain, silo, Guid.NewGuid());
        var there = new GrainAddress(grain, Silos.NewAddress(), Guid.NewGuid());
        Assert.Equal(here, await directoryA.Register(here));
        Assert.Equal(there, await directoryB.Register(there));
        await first.DeleteMembershipTableEntries(clusterId);
        Assert.Empty((await first.ReadAll()).Members);
        Assert.Equal(there, await directoryB.Lookup(grain));
    }

    [Fact]
    public async Task Ids_containing_slashes_cannot_collide()
    {
        // Without escaping both would be "a/b/c/members".
        var left = Own(RedisProviders.Table(redis.ConnectionString, "c" + _suffix, "a/b"));
        var right = Own(RedisProviders.Table(redis.ConnectionString, "b/c" + _suffix, "a"));

        Assert.True(await left.InsertRow(Silos.Entry(Silos.NewAddress()), (await left.ReadAll()).Version.Next()));

        Assert.NotEqual(left.TableKeyName, right.TableKeyName);
        Assert.Empty((await right.ReadAll()).Members);
        await left.DeleteMembershipTableEntries("c" + _suffix);
    }
}
