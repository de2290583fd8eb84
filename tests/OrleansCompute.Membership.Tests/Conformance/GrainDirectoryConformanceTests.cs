using OrleansCompute.GrainDirectory;
using OrleansCompute.Membership.Tests.Support;
using OrleansCompute.Runtime;

namespace OrleansCompute.Membership.Tests.Conformance;

/// <summary>
/// The <see cref="IGrainDirectory"/> contract, written once and run against every implementation. A provider's test class
/// implements <see cref="CreateDirectoryAsync"/>: directories created for the same cluster id within one test must see the
/// same entries (they play different silos), directories of different cluster ids must be independent. Grain ids are
/// fresh in every test, so a shared server needs no cleaning.
/// </summary>
public abstract class GrainDirectoryConformanceTests : IAsyncLifetime
{
    private readonly List<IGrainDirectory> _directories = [];

    /// <summary>A fresh cluster id for this test.</summary>
    protected string ClusterId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The directory of <see cref="ClusterId"/> (created before each test).</summary>
    protected IGrainDirectory Directory { get; private set; } = null!;

    /// <summary>Creates a directory for <paramref name="clusterId"/>; another call with the same id gives another view of the same directory.</summary>
    protected abstract Task<IGrainDirectory> CreateDirectoryAsync(string clusterId);

    /// <summary>Another silo's view of the directory of <paramref name="clusterId"/>, disposed with the test.</summary>
    protected async Task<IGrainDirectory> OpenAsync(string clusterId)
    {
        var directory = await CreateDirectoryAsync(clusterId);
        _directories.Add(directory);
        return directory;
    }

    public virtual async Task InitializeAsync() => Directory = await OpenAsync(ClusterId);

    public virtual async Task DisposeAsync()
    {
        foreach (var directory in _directories)
        {
            switch (directory)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    protected static GrainId NewGrainId(string type = "directory") => new(type, Guid.NewGuid().ToString("N"));

    protected static GrainAddress At(GrainId grainId, SiloAddress silo) => new(grainId, silo, Guid.NewGuid());

    [Fact]
    public async Task Lookup_of_an_unregistered_grain_returns_null()
    {
        Assert.Null(await Directory.Lookup(NewGrainId()));
    }

    [Fact]
    public async Task The_first_registration_wins_and_later_ones_get_it_back()
    {
        var grain = NewGrainId();
        var first = At(grain, Silos.NewAddress());
        var second = At(grain, Silos.NewAddress());

        Assert.Equal(first, await Directory.Register(first));
        Assert.Equal(first, await Directory.Register(second));
        Assert.Equal(first, await Directory.Lookup(grain));
    }

    [Fact]
    public async Task Registering_the_same_address_again_returns_it()
    {
        var address = At(NewGrainId(), Silos.NewAddress());
        await Directory.Register(address);

        Assert.Equal(address, await Directory.Register(address));
        Assert.Equal(address, await Directory.Lookup(address.GrainId));
    }

    [Fact]
    public async Task Twenty_concurrent_registrations_from_different_silos_all_get_the_same_winner()
    {
        var grain = NewGrainId();
        var views = new[] { Directory, await OpenAsync(ClusterId), await OpenAsync(ClusterId) };
        var candidates = Enumerable.Range(0, 20).Select(_ => At(grain, Silos.NewAddress())).ToList();
        using var start = new ManualResetEventSlim();

        var attempts = candidates.Select((candidate, i) => Task.Run(async () =>
        {
            start.Wait();
            return await views[i % views.Length].Register(candidate);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        var winner = results[0];
        Assert.All(results, result => Assert.Equal(winner, result));
        Assert.Contains(winner, candidates);
        Assert.Equal(winner, await Directory.Lookup(grain));
    }

    [Fact]
    public async Task Register_with_the_current_address_as_previous_replaces_it()
    {
        var grain = NewGrainId();
        var dead = At(grain, Silos.NewAddress());
        var takeover = At(grain, Silos.NewAddress());
        await Directory.Register(dead);

        Assert.Equal(takeover, await Directory.Register(takeover, dead));
        Assert.Equal(takeover, await Directory.Lookup(grain));
    }

    [Fact]
    public async Task Register_with_another_previous_address_keeps_the_current_one()
    {
        var grain = NewGrainId();
        var silo = Silos.NewAddress();
        var current = At(grain, silo);
        await Directory.Register(current);
        var sameSiloOtherActivation = At(grain, silo);
        var otherGeneration = current with { SiloAddress = Silos.Restarted(silo, silo.Generation + 1) };

        Assert.Equal(current, await Directory.Register(At(grain, Silos.NewAddress()), sameSiloOtherActivation));
        Assert.Equal(current, await Directory.Register(At(grain, Silos.NewAddress()), otherGeneration));
        Assert.Equal(current, await Directory.Lookup(grain));
    }

    [Fact]
    public async Task Register_with_a_previous_address_when_nothing_is_registered_stores_the_new_one()
    {
        var grain = NewGrainId();
        var address = At(grain, Silos.NewAddress());

        Assert.Equal(address, await Directory.Register(address, At(grain, Silos.NewAddress())));
        Assert.Equal(address, await Directory.Lookup(grain));
    }

    [Fact]
    public async Task Register_with_a_null_previous_address_is_first_writer_wins()
    {
        var grain = NewGrainId();
        var first = At(grain, Silos.NewAddress());
        await Directory.Register(first, null);

        Assert.Equal(first, await Directory.Register(At(grain, Silos.NewAddress()), null));
    }

    [Fact]
    public async Task Concurrent_takeovers_of_the_same_dead_address_have_one_winner()
    {
        var grain = NewGrainId();
        var dead = At(grain, Silos.NewAddress());
        await Directory.Register(dead);
        var candidates = Enumerable.Range(0, 10).Select(_ => At(grain, Silos.NewAddress())).ToList();

        var results = await Task.WhenAll(candidates.Select(c => Task.Run(() => Directory.Register(c, dead))));

        Assert.All(results, result => Assert.Equal(results[0], result));
        Assert.Contains(results[0], candidates);
        Assert.Equal(results[0], await Directory.Lookup(grain));
    }

    [Fact]
    public async Task Unregister_removes_the_entry_only_when_the_address_matches()
    {
        var grain = NewGrainId();
        var silo = Silos.NewAddress();
        var registered = At(grain, silo);
        await Directory.Register(registered);

        await Directory.Unregister(At(grain, silo));
        await Directory.Unregister(registered with { SiloAddress = Silos.Restarted(silo, silo.Generation + 1) });
        Assert.Equal(registered, await Directory.Lookup(grain));

        await Directory.Unregister(registered);
        Assert.Null(await Directory.Lookup(grain));
    }

    [Fact]
    public async Task After_unregister_a_new_registration_wins()
    {
        var grain = NewGrainId();
        var old = At(grain, Silos.NewAddress());
        await Directory.Register(old);
        await Directory.Unregister(old);

        var fresh = At(grain, Silos.NewAddress());
        Assert.Equal(fresh, await Directory.Register(fresh));
    }

    [Fact]
    public async Task Unregister_of_an_unregistered_grain_does_nothing()
    {
        var address = At(NewGrainId(), Silos.NewAddress());

        await Directory.Unregister(address);

        Assert.Null(await Directory.Lookup(address.GrainId));
    }

    [Fact]
    public async Task UnregisterSilos_removes_exactly_the_entries_of_those_silo_incarnations()
    {
        var deadA = Silos.NewAddress(generation: 10);
        var deadB = Silos.NewAddress(generation: 10);
        var restartedA = Silos.Restarted(deadA, generation: 11);
        var alive = Silos.NewAddress();
        var onDeadA = Enumerable.Range(0, 5).Select(_ => At(NewGrainId(), deadA)).ToList();
        var onDeadB = Enumerable.Range(0, 3).Select(_ => At(NewGrainId(), deadB)).ToList();
        var onRestartedA = Enumerable.Range(0, 3).Select(_ => At(NewGrainId(), restartedA)).ToList();
        var onAlive = Enumerable.Range(0, 3).Select(_ => At(NewGrainId(), alive)).ToList();
        foreach (var address in onDeadA.Concat(onDeadB).Concat(onRestartedA).Concat(onAlive))
        {
            Assert.Equal(address, await Directory.Register(address));
        }

        await Directory.UnregisterSilos([deadA, deadB]);

        foreach (var address in onDeadA.Concat(onDeadB))
        {
            Assert.Null(await Directory.Lookup(address.GrainId));
        }

        foreach (var address in onRestartedA.Concat(onAlive))
        {
            Assert.Equal(address, await Directory.Lookup(address.GrainId));
        }

        // A freed grain can be registered anew.
        var moved = At(onDeadA[0].GrainId, alive);
        Assert.Equal(moved, await Directory.Register(moved));
    }

    [Fact]
    public async Task UnregisterSilos_leaves_a_grain_that_moved_to_another_silo()
    {
        var grain = NewGrainId();
        var dead = Silos.NewAddress();
        var first = At(grain, dead);
        await Directory.Register(first);
        var moved = At(grain, Silos.NewAddress());
        await Directory.Register(moved, first);

        await Directory.UnregisterSilos([dead]);

        Assert.Equal(moved, await Directory.Lookup(grain));
    }

    [Fact]
    public async Task UnregisterSilos_with_no_silos_does_nothing()
    {
        var address = At(NewGrainId(), Silos.NewAddress());
        await Directory.Register(address);

        await Directory.UnregisterSilos([]);

        Assert.Equal(address, await Directory.Lookup(address.GrainId));
    }

    [Fact]
    public async Task Grain_ids_that_differ_only_in_where_the_slash_falls_are_different_grains()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var a = new GrainId("a/b", "c" + suffix);
        var b = new GrainId("a", "b/c" + suffix);
        var unicode = new GrainId("grain-ü", $"ключ/🔑 日本語 %2F {suffix}");
        var addressA = At(a, Silos.NewAddress());
        var addressUnicode = At(unicode, Silos.NewAddress());

        await Directory.Register(addressA);
        await Directory.Register(addressUnicode);

        Assert.Null(await Directory.Lookup(b));
        Assert.Equal(addressA, await Directory.Lookup(a));
        Assert.Equal(addressUnicode, await Directory.Lookup(unicode));
    }

    [Fact]
    public async Task Directories_of_different_clusters_are_independent()
    {
        var other = await OpenAsync(ClusterId + "-other");
        var grain = NewGrainId();
        var here = At(grain, Silos.NewAddress());
        var there = At(grain, Silos.NewAddress());

        Assert.Equal(here, await Directory.Register(here));
        Assert.Equal(there, await other.Register(there));
        await other.UnregisterSilos([here.SiloAddress]);

        Assert.Equal(here, await Directory.Lookup(grain));
        Assert.Equal(there, await other.Lookup(grain));
    }
}
