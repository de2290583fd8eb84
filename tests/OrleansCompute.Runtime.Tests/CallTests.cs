using OrleansCompute.Runtime.Tests.Grains;
using OrleansCompute.Runtime.Tests.Infrastructure;

namespace OrleansCompute.Runtime.Tests;

public sealed class CallTests
{
    [Fact]
    public async Task Every_return_shape_round_trips()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IBehaviorGrain>(Guid.NewGuid());
        Assert.Equal(5, await grain.Add(2, 3));
        Assert.Equal("hi", await grain.Echo("hi"));
        await grain.Nothing();
    }

    [Fact]
    public async Task Exceptions_reach_the_caller_with_type_message_and_grain_stack()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IBehaviorGrain>(Guid.NewGuid());
        var sync = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Throw("boom"));
        Assert.Equal("boom", sync.Message);
        Assert.Contains(nameof(BehaviorGrain.Throw), sync.StackTrace);

        var async = await Assert.ThrowsAsync<ArgumentException>(() => grain.ThrowAfterAwait("later"));
        Assert.StartsWith("later", async.Message);
        Assert.Contains(nameof(BehaviorGrain.ThrowAfterAwait), async.StackTrace);

        // The grain is still healthy afterwards.
        Assert.Equal(2, await grain.Add(1, 1));
    }

    [Fact]
    public async Task A_call_past_its_response_timeout_throws_TimeoutException()
    {
        await using var silo = await SiloHarness.StartAsync(settings: new() { ["OrleansCompute:Messaging:ResponseTimeoutCheckInterval"] = "00:00:00.050" });
        var grain = silo.GrainFactory.GetGrain<IBehaviorGrain>(Guid.NewGuid());
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<TimeoutException>(() => grain.Slow(3000));
        var elapsed = DateTime.UtcNow - started;
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(1500));
        Assert.Contains("Slow", error.Message);

        // A call within the timeout succeeds (on another grain: this one is still busy with the timed-out call,
        // which keeps running on the grain).
        await silo.GrainFactory.GetGrain<IBehaviorGrain>(Guid.NewGuid()).Slow(10);
    }

    [Fact]
    public async Task The_default_response_timeout_comes_from_configuration()
    {
        await using var silo = await SiloHarness.StartAsync(settings: new()
        {
            ["OrleansCompute:Messaging:ResponseTimeout"] = "00:00:00.200",
            ["OrleansCompute:Messaging:ResponseTimeoutCheckInterval"] = "00:00:00.050",
        });
        var grain = silo.GrainFactory.GetGrain<IConcurrencyGrain>(77);
        await Assert.ThrowsAsync<TimeoutException>(() => grain.Work(2000));
    }

    [Fact]
    public async Task A_cancellation_token_reaches_the_grain()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IBehaviorGrain>(Guid.NewGuid());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.True(await grain.WaitForCancellation(10_000, cts.Token));
        Assert.False(await grain.WaitForCancellation(1, CancellationToken.None));
    }

    [Fact]
    public async Task One_way_calls_return_at_once_and_still_run()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IBehaviorGrain>(Guid.NewGuid());
        var call = grain.FireAndForget("x");
        Assert.True(call.IsCompleted);
        Assert.Equal("x", await grain.LastFireAndForget());
    }

    [Fact]
    public async Task Keys_of_every_kind_reach_the_grain()
    {
        await using var silo = await SiloHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.Equal($"behavior:{id}", await silo.GrainFactory.GetGrain<IBehaviorGrain>(id).KeyInfo());
        Assert.Equal("42|ext+more", await silo.GrainFactory.GetGrain<ICompoundKeyGrain>(42, "ext+more").Describe());
    }

    [Fact]
    public async Task Asking_for_an_interface_without_an_implementation_says_so()
    {
        await using var silo = await SiloHarness.StartAsync();
        var error = Assert.Throws<ArgumentException>(() => silo.GrainFactory.GetGrain<IUnimplementedGrain>("x"));
        Assert.Contains("No grain class implements", error.Message);
    }
}

public interface IUnimplementedGrain : IGrainWithStringKey
{
    Task Nothing();
}
