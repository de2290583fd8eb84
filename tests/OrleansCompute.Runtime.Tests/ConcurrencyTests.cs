using OrleansCompute.Runtime.Tests.Grains;
using OrleansCompute.Runtime.Tests.Infrastructure;

namespace OrleansCompute.Runtime.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task A_non_reentrant_grain_never_runs_two_calls_at_once()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IConcurrencyGrain>(1);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => grain.Work(5))));
        Assert.Equal(1, await grain.MaxConcurrent());
    }

    [Fact]
    public async Task Calls_to_different_grains_run_in_parallel()
    {
        await using var silo = await SiloHarness.StartAsync();
        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => silo.GrainFactory.GetGrain<IConcurrencyGrain>(100 + i).Work(200)));
        // Serially this would take 4 s.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "Different activations did not run in parallel.");
    }

    [Fact]
    public async Task A_reentrant_grain_interleaves_calls_at_awaits_but_on_one_thread_at_a_time()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IReentrantGrain>(1);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => grain.Work(100))));
        var max = await grain.MaxConcurrent();
        Assert.True(max > 1, $"Calls did not interleave (max {max}).");
    }

    [Fact]
    public async Task An_AlwaysInterleave_method_runs_while_another_call_is_awaiting()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IConcurrencyGrain>(2);
        var work = grain.Work(500);
        await Task.Delay(100);
        var peek = grain.InterleavedPeek();
        var finished = await Task.WhenAny(peek, Task.Delay(400));
        Assert.Same(peek, finished);
        Assert.Equal(1, await peek);
        await work;
    }

    [Fact]
    public async Task Stateless_workers_spread_concurrent_calls_over_at_most_the_configured_workers()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IWorkerGrain>(0);
        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => grain.WhoAmI(100)));
        var distinct = ids.Distinct().Count();
        Assert.InRange(distinct, 2, 3);
    }

    [Fact]
    public async Task Grains_call_other_grains()
    {
        await using var silo = await SiloHarness.StartAsync();
        var caller = silo.GrainFactory.GetGrain<ICallerGrain>("c");
        Assert.Equal(7, await caller.CallAdd(Guid.NewGuid(), 3, 4));
    }
}
