using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Configuration;
using OrleansCompute.Hosting;
using OrleansCompute.Runtime.Tests.Grains;
using OrleansCompute.Runtime.Tests.Infrastructure;

namespace OrleansCompute.Runtime.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Activation_completes_before_the_first_call_and_deactivation_runs_once()
    {
        await using var silo = await SiloHarness.StartAsync();
        var log = silo.Services.GetRequiredService<CallLog>();
        var grain = silo.GrainFactory.GetGrain<ILifecycleGrain>("a");

        // Concurrent first calls: exactly one activation, and no call before activation finished.
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => grain.Ping()));
        Assert.All(results, r => Assert.Equal("a", r));
        await grain.Deactivate();
        await log.WaitForAsync(e => e.Contains("deactivate:a:ApplicationRequested"));

        var entries = log.Entries.Where(e => e.EndsWith(":a", StringComparison.Ordinal) || e.Contains(":a:", StringComparison.Ordinal)).ToList();
        Assert.Equal("activate-start:a", entries[0]);
        Assert.Equal("activate-end:a", entries[1]);
        Assert.Equal(10, entries.Count(e => e == "ping:a"));
        Assert.Equal("deactivate:a:ApplicationRequested", entries[^1]);
        Assert.Equal(1, log.Count("activate-start:a"));
    }

    [Fact]
    public async Task A_call_after_DeactivateOnIdle_gets_a_fresh_activation()
    {
        await using var silo = await SiloHarness.StartAsync();
        var log = silo.Services.GetRequiredService<CallLog>();
        var grain = silo.GrainFactory.GetGrain<ILifecycleGrain>("b");
        await grain.Ping();
        await grain.Deactivate();
        Assert.Equal("b", await grain.Ping());
        await log.WaitForAsync(e => e.Count(x => x == "activate-end:b") == 2);
        Assert.Equal(1, log.Count("deactivate:b"));
    }

    [Fact]
    public async Task Idle_activations_are_collected_after_the_collection_age()
    {
        await using var silo = await SiloHarness.StartAsync(silo => silo.Configure<GrainCollectionOptions>(o =>
        {
            o.CollectionAge = TimeSpan.FromMilliseconds(300);
            o.CollectionQuantum = TimeSpan.FromMilliseconds(100);
        }));
        var log = silo.Services.GetRequiredService<CallLog>();
        var busy = silo.GrainFactory.GetGrain<ILifecycleGrain>("busy");
        var idle = silo.GrainFactory.GetGrain<ILifecycleGrain>("idle");
        await idle.Ping();
        await busy.Ping();

        // Keep "busy" busy for longer than the age; "idle" must go, "busy" must stay.
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(50);
            await busy.Ping();
        }

        await log.WaitForAsync(e => e.Contains("deactivate:idle:ActivationIdle"));
        Assert.DoesNotContain("deactivate:busy:ActivationIdle", log.Entries);
    }

    [Fact]
    public async Task Stopping_the_silo_deactivates_every_activation()
    {
        var silo = await SiloHarness.StartAsync();
        var log = silo.Services.GetRequiredService<CallLog>();
        foreach (var key in new[] { "s1", "s2", "s3" })
        {
            await silo.GrainFactory.GetGrain<ILifecycleGrain>(key).Ping();
        }

        await silo.DisposeAsync();
        Assert.Equal(3, log.Count("deactivate:s"));
        Assert.All(log.Entries.Where(e => e.StartsWith("deactivate:", StringComparison.Ordinal)), e => Assert.EndsWith("ShuttingDown", e));
    }

    [Fact]
    public async Task Invalid_settings_stop_the_silo_at_start_with_the_setting_named()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SiloHarness.StartAsync(settings: new()
        {
            ["OrleansCompute:Messaging:ResponseTimeout"] = "-00:00:01",
            ["OrleansCompute:Silo:ClusterId"] = "has space",
        }));
        Assert.Contains("OrleansCompute:Messaging:ResponseTimeout", error.ToString());
        Assert.True(error.ToString().Contains("OrleansCompute:Silo:ClusterId", StringComparison.Ordinal), error.ToString());
    }
}
