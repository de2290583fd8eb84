using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansCompute.Activation;
using OrleansCompute.GrainDirectory;
using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Cluster;

/// <summary>
/// Routes calls in a cluster. The directory is the single source of truth for where a grain lives:
/// a silo creates an activation only after it won the directory registration for it, so concurrent
/// first calls from every silo still make exactly one activation. New grains are placed on a random
/// active silo (so new silos take new work); the chosen silo registers and activates. When a silo
/// dies, its entries are taken over by whichever silo next activates the grain, and its state is read
/// from storage as for any activation.
/// </summary>
internal sealed partial class ClusterDispatcher(
    Catalog catalog,
    IGrainDirectory directory,
    SiloMessageCenter messages,
    MembershipAgent membership,
    Func<GrainRequest, TimeSpan> timeoutOf,
    ILogger logger)
{
    private const int MaxHops = 4;
    private readonly ConcurrentDictionary<GrainId, GrainAddress> _remoteCache = new();
    private readonly ConcurrentDictionary<GrainId, Lazy<Task<GrainAddress>>> _registering = new();
    private volatile bool _stopped;

    private SiloAddress Me => messages.Me;

    public void Stop() => _stopped = true;

    /// <summary>Delivers <paramref name="request"/> to the grain wherever it lives (or places it).</summary>
    public void Dispatch(GrainId grainId, GrainRequest request, GrainReference? reference, int hops)
    {
        if (_stopped)
        {
            request.TrySetException(new SiloUnavailableException($"Silo {Me} is not serving; {request} to {grainId} was not delivered."));
            return;
        }

        GrainClassInfo grainClass;
        try
        {
            grainClass = catalog.Types.GetByGrainType(grainId.Type);
        }
        catch (Exception ex)
        {
            request.TrySetException(ex);
            return;
        }

        if (grainClass.IsStatelessWorker)
        {
            var workers = catalog.GetOrCreate(grainId);
            if (workers.TryEnqueue(request) && reference is not null)
            {
                reference.RuntimeCache = workers;
            }

            return;
        }

        if (catalog.TryGet(grainId) is { } local && local.TryEnqueue(request))
        {
            if (reference is not null)
            {
                reference.RuntimeCache = local;
            }

            return;
        }

        if (_remoteCache.TryGetValue(grainId, out var cached) && membership.View.IsActive(cached.SiloAddress))
        {
            messages.SendRequest(cached.SiloAddress, grainId, request, hops + 1, timeoutOf(request));
            return;
        }

        _ = ResolveAndDispatchAsync(grainId, request, reference, hops);
    }

    private async Task ResolveAndDispatchAsync(GrainId grainId, GrainRequest request, GrainReference? reference, int hops)
    {
        try
        {
            if (hops > MaxHops)
            {
                throw new InvalidOperationException($"{request} to {grainId} was forwarded {hops} times without finding the grain; giving up.");
            }

            for (var attempt = 0; attempt < 5; attempt++)
            {
                var address = await LocateAsync(grainId, placeHere: hops > 0).ConfigureAwait(false);
                if (address.SiloAddress != Me)
                {
                    if (address.ActivationId != Guid.Empty)
                    {
                        _remoteCache[grainId] = address;
                    }

                    messages.SendRequest(address.SiloAddress, grainId, request, hops + 1, timeoutOf(request));
                    return;
                }

                var activation = catalog.GetOrCreateRegistered(grainId, address);
                if (activation.TryEnqueue(request))
                {
                    if (reference is not null)
                    {
                        reference.RuntimeCache = activation;
                    }

                    return;
                }

                // That activation is finishing its deactivation: look again.
                await Task.Yield();
            }

            throw new InvalidOperationException($"Could not deliver {request} to {grainId}: its activation kept moving.");
        }
        catch (Exception ex)
        {
            request.TrySetException(ex);
        }
    }

    private async Task<GrainAddress> LocateAsync(GrainId grainId, bool placeHere)
    {
        GrainAddress? existing;
        try
        {
            existing = await directory.Lookup(grainId).ConfigureAwait(false);
        }
        catch (Exception directoryFailure)
        {
            // The directory is unreachable (e.g. Redis restarting): active grains keep being served by
            // asking the live silos who hosts it. Nothing new can be activated until the directory is back.
            if (await AskPeersAsync(grainId).ConfigureAwait(false) is { } host)
            {
                return host;
            }

            throw new SiloUnavailableException(
                $"The grain directory is unreachable and no live silo hosts {grainId}, so it cannot be activated now: {directoryFailure.Message}",
                directoryFailure);
        }

        var view = membership.View;
        if (existing is not null)
        {
            if (existing.SiloAddress == Me)
            {
                if (catalog.TryGet(grainId) is { DirectoryAddress: { } live } && live == existing)
                {
                    return existing;
                }
            }
            else if (!view.Dead.Contains(existing.SiloAddress) && !IsOlderIncarnationOfMe(existing.SiloAddress))
            {
                return existing;
            }
        }

        // Nobody (alive) has it: place it. A request that was sent here on purpose activates here.
        var target = placeHere ? Me : PickSilo(view);
        if (target != Me)
        {
            return new GrainAddress(grainId, target, Guid.Empty);
        }

        var registration = _registering.GetOrAdd(grainId, id => new Lazy<Task<GrainAddress>>(() => RegisterHereAsync(id, existing)));
        try
        {
            return await registration.Value.ConfigureAwait(false);
        }
        finally
        {
            _registering.TryRemove(KeyValuePair.Create(grainId, registration));
        }
    }

    private async Task<GrainAddress?> AskPeersAsync(GrainId grainId)
    {
        if (catalog.TryGet(grainId) is { DirectoryAddress: { } local })
        {
            return local;
        }

        var peers = membership.View.ActiveSilos.Where(s => s != Me).ToList();
        var answers = await Task.WhenAll(peers.Select(p => messages.HostsActivationAsync(p, grainId, TimeSpan.FromSeconds(2)))).ConfigureAwait(false);
        for (var i = 0; i < peers.Count; i++)
        {
            if (answers[i])
            {
                return new GrainAddress(grainId, peers[i], Guid.Empty);
            }
        }

        return null;
    }

    private async Task<GrainAddress> RegisterHereAsync(GrainId grainId, GrainAddress? previous)
    {
        var mine = new GrainAddress(grainId, Me, Guid.NewGuid());
        var winner = await directory.Register(mine, previous).ConfigureAwait(false);
        if (winner == mine)
        {
            LogRegistered(logger, grainId, previous?.SiloAddress.ToString() ?? "(new)");
        }

        return winner;
    }

    private SiloAddress PickSilo(ClusterView view)
    {
        var silos = view.ActiveSilos;
        return silos.Length == 0 ? Me : silos[Random.Shared.Next(silos.Length)];
    }

    private bool IsOlderIncarnationOfMe(SiloAddress silo) => silo.IsSameEndpoint(Me) && silo.Generation < Me.Generation;

    /// <summary>Forgets dead silos' locations and removes their directory entries.</summary>
    public async Task OnSilosDiedAsync(IReadOnlyList<SiloAddress> dead)
    {
        foreach (var pair in _remoteCache)
        {
            if (dead.Contains(pair.Value.SiloAddress))
            {
                _remoteCache.TryRemove(pair);
            }
        }

        foreach (var silo in dead)
        {
            messages.OnSiloDead(silo);
        }

        try
        {
            await directory.UnregisterSilos(dead).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogCleanupFailed(logger, ex.Message);
        }
    }

    /// <summary>An activation of this silo is gone: remove its directory entry.</summary>
    public async Task OnActivationRemovedAsync(GrainAddress address)
    {
        _remoteCache.TryRemove(address.GrainId, out _);
        try
        {
            await directory.Unregister(address).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogCleanupFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Registered {GrainId} here (previous owner {Previous})")]
    private static partial void LogRegistered(ILogger logger, GrainId grainId, string previous);

    [LoggerMessage(2, LogLevel.Warning, "Directory cleanup failed: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string reason);
}
