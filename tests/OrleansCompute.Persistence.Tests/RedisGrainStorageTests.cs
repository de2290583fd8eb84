using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Hosting;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;
using OrleansCompute.Testing.Servers;
using StackExchange.Redis;

namespace OrleansCompute.Persistence.Tests;

/// <summary>What the conformance suite cannot show: key layout, isolation by service id, durability and outages, DI.</summary>
[Collection(RedisServerFixture.CollectionName)]
public sealed class RedisGrainStorageTests(RedisServerFixture redis)
{
    private static readonly TimeSpan s_operationTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_failureBound = TimeSpan.FromSeconds(10);

    private static RedisGrainStorage Create(string connectionString, string serviceId = "redis-tests", TimeSpan? timeout = null) => new(
        "redis-test",
        new RedisGrainStorageOptions { ConnectionString = connectionString, OperationTimeout = timeout ?? RedisGrainStorageOptions.DefaultOperationTimeout },
        serviceId,
        new JsonGrainStorageSerializer());

    private static GrainId NewGrainId() => new("profile", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_record_is_one_hash_with_data_and_etag_under_the_service_id()
    {
        var serviceId = "layout-" + Guid.NewGuid().ToString("N")[..8];
        await using var storage = Create(redis.ConnectionString, serviceId);
        var grainId = new GrainId("user", "eu/42");
        var grainState = new GrainState<ProfileState>(new ProfileState { Name = "ada" });

        await storage.WriteStateAsync("profile", grainId, grainState);

        using var raw = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = $"{serviceId}/state/profile/user/eu%2F42";
        Assert.Equal(key, storage.RecordKey("profile", grainId));
        var fields = (await raw.GetDatabase().HashGetAllAsync(key)).ToDictionary(f => (string)f.Name!, f => f.Value);
        Assert.Equal(["data", "etag"], fields.Keys.Order());
        Assert.Equal(grainState.ETag, (string)fields["etag"]!);
        Assert.Contains("\"Name\":\"ada\"", (string)fields["data"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Different_service_ids_do_not_share_records()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var first = Create(redis.ConnectionString, "service-a-" + suffix);
        await using var second = Create(redis.ConnectionString, "service-b-" + suffix);
        var grainId = NewGrainId();

        await first.WriteStateAsync("profile", grainId, new GrainState<ProfileState>(new ProfileState { Name = "a" }));

        var read = new GrainState<ProfileState>(new ProfileState());
        await second.ReadStateAsync("profile", grainId, read);
        Assert.False(read.RecordExists);
        await second.WriteStateAsync("profile", grainId, new GrainState<ProfileState>(new ProfileState { Name = "b" }));
        await first.ReadStateAsync("profile", grainId, read);
        Assert.Equal("a", read.State.Name);
    }

    [Fact]
    public async Task State_names_and_grain_ids_containing_slashes_cannot_collide()
    {
        await using var storage = Create(redis.ConnectionString);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        // Unescaped, both would be ".../state/a/b/c/d…".
        await storage.WriteStateAsync("a/b", new GrainId("c", "d" + suffix), new GrainState<ProfileState>(new ProfileState { Name = "first" }));

        var other = new GrainState<ProfileState>(new ProfileState());
        await storage.ReadStateAsync("a", new GrainId("b", "c/d" + suffix), other);
        Assert.False(other.RecordExists);
    }

    [Fact]
    public async Task Acknowledged_writes_survive_a_kill_9_and_restart()
    {
        await using var server = await RedisServer.StartAsync();
        var grainId = NewGrainId();
        var grainState = new GrainState<ProfileState>(new ProfileState { Name = "v1" });
        await using (var storage = Create(server.ConnectionString))
        {
            await storage.WriteStateAsync("profile", grainId, grainState);
            grainState.State.Name = "v2";
            await storage.WriteStateAsync("profile", grainId, grainState);
        }

        server.Kill();
        await server.RestartAsync();

        await using var reopened = Create(server.ConnectionString);
        var read = new GrainState<ProfileState>(new ProfileState());
        await reopened.ReadStateAsync("profile", grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal("v2", read.State.Name);
        Assert.Equal(grainState.ETag, read.ETag);
    }

    [Fact]
    public async Task During_an_outage_operations_fail_within_a_bounded_time_naming_the_endpoint_and_succeed_after_restart()
    {
        await using var server = await RedisServer.StartAsync();
        await using var storage = Create(server.ConnectionString, timeout: s_operationTimeout);
        var grainId = NewGrainId();
        var grainState = new GrainState<ProfileState>(new ProfileState { Name = "before" });
        await storage.WriteStateAsync("profile", grainId, grainState);

        server.Kill();

        var watch = Stopwatch.StartNew();
        grainState.State.Name = "during";
        var error = await Assert.ThrowsAsync<GrainStorageException>(() => storage.WriteStateAsync("profile", grainId, grainState));
        Assert.True(watch.Elapsed < s_failureBound, $"the failure took {watch.Elapsed}");
        Assert.Contains(server.ConnectionString, error.Message, StringComparison.Ordinal);
        Assert.Contains("profile", error.Message, StringComparison.Ordinal);
        Assert.Equal(grainId, error.GrainId);

        await server.RestartAsync();

        var read = new GrainState<ProfileState>(new ProfileState());
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await storage.ReadStateAsync("profile", grainId, read);
                break;
            }
            catch (GrainStorageException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }
        }

        Assert.Equal("before", read.State.Name);
        read.State.Name = "after";
        await storage.WriteStateAsync("profile", grainId, read);
    }

    [Fact]
    public async Task A_frozen_server_makes_a_read_time_out_instead_of_hanging()
    {
        await using var server = await RedisServer.StartAsync();
        await using var storage = Create(server.ConnectionString, timeout: s_operationTimeout);
        var grainId = NewGrainId();
        await storage.WriteStateAsync("profile", grainId, new GrainState<ProfileState>(new ProfileState { Name = "x" }));

        server.Pause();
        try
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<GrainStorageException>(() => storage.ReadStateAsync("profile", grainId, new GrainState<ProfileState>(new ProfileState())));
            Assert.True(watch.Elapsed < s_failureBound, $"the failure took {watch.Elapsed}");
            Assert.IsType<TimeoutException>(error.InnerException);
        }
        finally
        {
            server.Resume();
        }
    }

    [Fact]
    public async Task Registration_adds_keyed_providers_using_the_silo_service_id()
    {
        var builder = new TestSiloBuilder();
        builder.Services.Configure<SiloOptions>(o => o.ServiceId = "shop");
        builder.AddRedisGrainStorageAsDefault(o => o.ConnectionString = redis.ConnectionString)
            .AddRedisGrainStorage("archive", o => o.ConnectionString = redis.ConnectionString);
        await using var services = builder.Services.BuildServiceProvider();

        var defaultStorage = Assert.IsType<RedisGrainStorage>(services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName));
        var archive = Assert.IsType<RedisGrainStorage>(services.GetRequiredKeyedService<IGrainStorage>("archive"));
        Assert.Equal("archive", archive.Name);
        Assert.StartsWith("shop/state/", defaultStorage.RecordKey("s", new GrainId("t", "k")), StringComparison.Ordinal);

        var grainId = NewGrainId();
        await archive.WriteStateAsync("s", grainId, new GrainState<int>(7));
        var read = new GrainState<int>(0);
        await defaultStorage.ReadStateAsync("s", grainId, read);
        Assert.Equal(7, read.State);
    }

    [Theory]
    [InlineData(null, 5, "ConnectionString")]
    [InlineData("   ", 5, "ConnectionString")]
    [InlineData("127.0.0.1:6379", 0, "OperationTimeout")]
    public async Task Invalid_options_fail_validation_naming_the_setting_and_the_provider(string? connectionString, int timeoutSeconds, string setting)
    {
        var services = new ServiceCollection().AddRedisGrainStorage("cache", o =>
        {
            o.ConnectionString = connectionString;
            o.OperationTimeout = TimeSpan.FromSeconds(timeoutSeconds);
        });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<RedisGrainStorageOptions>>().Get("cache"));
        Assert.Contains($"RedisGrainStorageOptions.{setting}", error.Message, StringComparison.Ordinal);
        Assert.Contains("'cache'", error.Message, StringComparison.Ordinal);
    }
}
