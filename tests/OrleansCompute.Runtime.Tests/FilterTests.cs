using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Hosting;
using OrleansCompute.Runtime.Tests.Grains;
using OrleansCompute.Runtime.Tests.Infrastructure;

namespace OrleansCompute.Runtime.Tests;

public sealed class FilterTests
{
    [Fact]
    public async Task Silo_filters_then_grain_filters_run_around_the_call_and_can_change_arguments()
    {
        await using var silo = await SiloHarness.StartAsync(s => s.AddIncomingGrainCallFilter<ArgumentBumpingFilter>());
        var log = silo.Services.GetRequiredService<CallLog>();
        var grain = silo.GrainFactory.GetGrain<IFilteredGrain>("f");

        Assert.Equal(8, await grain.Twice(3)); // (3 + 1) * 2
        Assert.Equal(["silo-filter:IFilteredGrain.Twice:filtered/f", "grain-filter:Twice"], log.Entries);
    }

    [Fact]
    public async Task A_filter_can_refuse_a_call_and_the_caller_gets_its_exception()
    {
        await using var silo = await SiloHarness.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IFilteredGrain>("g");
        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Secret());
        Assert.Equal("Secret is not for you.", error.Message);
        Assert.Equal(4, await grain.Twice(2));
    }

    [Fact]
    public async Task Outgoing_filters_see_and_can_replace_the_result()
    {
        await using var silo = await SiloHarness.StartAsync(s => s.AddOutgoingGrainCallFilter<ResultScalingFilter>());
        var log = silo.Services.GetRequiredService<CallLog>();
        var grain = silo.GrainFactory.GetGrain<IFilteredGrain>("h");
        Assert.Equal(40, await grain.Twice(2));
        Assert.Contains("outgoing:Twice:4", log.Entries);
    }
}
