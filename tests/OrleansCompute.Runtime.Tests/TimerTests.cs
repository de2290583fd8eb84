using OrleansCompute.Runtime.Tests.Grains;
using OrleansCompute.Runtime.Tests.Infrastructure;

namespace OrleansCompute.Runtime.Tests;

public sealed class TimerTests
{
    [Fact]
    public async Task Timer_ticks_fire_repeatedly_and_never_interleave_with_calls()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ITimerGrain>("t");
        await grain.Start(periodMs: 20, tickWorkMs: 15);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await grain.Ticks() < 10 && DateTime.UtcNow < deadline)
        {
            await grain.Call(10);
        }

        Assert.True(await grain.Ticks() >= 10);
        Assert.Equal(1, await grain.MaxConcurrent());
    }

    [Fact]
    public async Task A_disposed_timer_stops_ticking()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ITimerGrain>("stop");
        await grain.Start(periodMs: 10, tickWorkMs: 0);
        while (await grain.Ticks() < 3)
        {
            await Task.Delay(10);
        }

        await grain.Stop();
        var after = await grain.Ticks();
        await Task.Delay(200);
        Assert.InRange(await grain.Ticks(), after, after + 1);
    }
}
