using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Cluster.Tests.Grains;
using OrleansCompute.TestingHost;
using Xunit.Abstractions;

namespace OrleansCompute.Cluster.Tests;

public sealed class ClusterCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        _cluster = new TestClusterBuilder(3).Build();
        await _cluster.DeployAsync();
        output.WriteLine($"3-silo cluster deployed in {started.ElapsedMilliseconds} ms");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Every_argument_kind_crosses_the_wire_from_a_client_and_between_silos()
    {
        var payload = new Payload
        {
            Text = "hi",
            Numbers = [1, 2, 3],
            Weights = new() { ["a"] = 0.5, ["é"] = -1e300 },
            Maybe = null,
            Color = Color.Green,
            Where = new Point(3, -4),
            Id = Guid.NewGuid(),
            When = new DateTime(2026, 11, 22, 1, 2, 3, DateTimeKind.Utc),
            Blob = [0, 255, 7],
        };
        var grain = _cluster.Client.GetGrain<IClusterTestGrain>("args");
        var echoed = await grain.Echo(payload, long.MinValue, null, new Point(1, 2));
        Assert.Equal($"hi|{long.MinValue}|null|1,2", echoed.Text);
        Assert.Equal(payload.Numbers, echoed.Numbers);
        Assert.Equal(payload.Weights, echoed.Weights);
        Assert.Null(echoed.Maybe);
        Assert.Equal(Color.Green, echoed.Color);
        Assert.Equal(new Point(3, -4), echoed.Where);
        Assert.Equal(payload.Id, echoed.Id);
        Assert.Equal(payload.When, echoed.When);
        Assert.Equal(DateTimeKind.Utc, echoed.When.Kind);
        Assert.Equal(payload.Blob, echoed.Blob);

        // Grain to grain: find two grains on different silos and call across.
        var locations = new Dictionary<string, string>();
        for (var i = 0; locations.Values.Distinct().Count() < 2 && i < 100; i++)
        {
            locations[$"k{i}"] = await _cluster.Client.GetGrain<IClusterTestGrain>($"k{i}").WhereAmI();
        }

        var pair = locations.GroupBy(p => p.Value).Select(g => g.First().Key).Take(2).ToArray();
        Assert.Equal(locations[pair[1]], await _cluster.Client.GetGrain<IClusterTestGrain>(pair[0]).CallOther(pair[1]));
    }

    [Fact]
    public async Task A_cancellation_token_reaches_a_grain_on_another_silo_and_through_the_gateway()
    {
        using var fromClient = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = Stopwatch.StartNew();
        Assert.True(await _cluster.Client.GetGrain<IClusterTestGrain>("cancel-1").WaitForCancellation(20_000, fromClient.Token));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5));

        foreach (var silo in _cluster.Silos)
        {
            using var fromSilo = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var factory = silo.ServiceProvider.GetRequiredService<IGrainFactory>();
            Assert.True(await factory.GetGrain<IClusterTestGrain>("cancel-2").WaitForCancellation(20_000, fromSilo.Token));
        }

        Assert.False(await _cluster.Client.GetGrain<IClusterTestGrain>("cancel-3").WaitForCancellation(1, CancellationToken.None));
    }

    [Fact]
    public async Task Exceptions_cross_the_wire_with_type_message_and_remote_stack()
    {
        var grain = _cluster.Client.GetGrain<IClusterTestGrain>("thrower");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Throw("remote boom"));
        Assert.Equal("remote boom", error.Message);
        Assert.Contains(nameof(ClusterTestGrain.Throw), error.StackTrace);
        Assert.Equal(1, await grain.Increment());
    }

    [Fact]
    public async Task Concurrent_first_calls_from_every_silo_create_exactly_one_activation()
    {
        for (var round = 0; round < 5; round++)
        {
            var key = $"race-{round}";
            var calls = _cluster.Silos
                .SelectMany(s => Enumerable.Range(0, 10).Select(_ => s.ServiceProvider.GetRequiredService<IGrainFactory>()))
                .Select(f => Task.Run(() => f.GetGrain<IClusterTestGrain>(key).ActivationId()))
                .Append(_cluster.Client.GetGrain<IClusterTestGrain>(key).ActivationId())
                .ToArray();
            var ids = await Task.WhenAll(calls);
            Assert.Single(ids.Distinct());
        }
    }

    [Fact]
    public async Task New_activations_spread_over_the_silos_and_reach_a_newly_joined_silo()
    {
        var places = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => _cluster.Client.GetGrain<IClusterTestGrain>($"spread-{i}").WhereAmI()));
        var perSilo = places.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", perSilo.Select(p => $"{p.Key}: {p.Value}")));
        Assert.Equal(3, perSilo.Count);

        var added = await _cluster.StartAdditionalSiloAsync();
        var later = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => _cluster.Client.GetGrain<IClusterTestGrain>($"later-{i}").WhereAmI()));
        Assert.Contains(added.SiloAddress.ToString(), later);
    }
}
