using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Activation;
using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute.Messaging;

/// <summary>
/// The silo's grain factory and call dispatcher. A call made through a reference is queued straight
/// onto the target activation (cached on the reference), with no serialization and no lookup on
/// the fast path; arguments are passed by reference, so treat them as immutable after the call.
/// </summary>
internal sealed class LocalGrainRuntime : IGrainReferenceRuntime, IClusterClient
{
    private readonly Catalog _catalog;
    private readonly TimeProvider _time;
    private readonly IOutgoingGrainCallFilter[] _outgoingFilters;

    public LocalGrainRuntime(IServiceProvider services, Catalog catalog, TimeProvider time)
    {
        ServiceProvider = services;
        _catalog = catalog;
        _time = time;
        _outgoingFilters = [.. services.GetServices<IOutgoingGrainCallFilter>()];
    }

    public IServiceProvider ServiceProvider { get; }

    /// <summary>Set when the silo is clustered: routes calls that are not to a cached local activation.</summary>
    internal Cluster.ClusterDispatcher? Cluster { get; set; }

    public IGrainFactory GrainFactory => this;

    public ValueTask<TResult> InvokeAsync<TResult>(GrainReference reference, GrainRequest<TResult> request)
    {
        if (ActivationData.Current is { } caller)
        {
            request.SourceId = caller.GrainId;
        }

        if (_outgoingFilters.Length > 0)
        {
            return InvokeWithFiltersAsync(reference, request);
        }

        Dispatch(reference, request);
        return request.AsValueTask();
    }

    public void InvokeOneWay(GrainReference reference, GrainRequest request)
    {
        if (ActivationData.Current is { } caller)
        {
            request.SourceId = caller.GrainId;
        }

        Dispatch(reference, request);
    }

    private async ValueTask<TResult> InvokeWithFiltersAsync<TResult>(GrainReference reference, GrainRequest<TResult> request)
    {
        var context = new OutgoingCallContext<TResult>(request, reference, _outgoingFilters, (target, copy) =>
        {
            Dispatch(target, copy);
            return copy.AsValueTask();
        });
        await context.Invoke();
        return context.TypedResult;
    }

    private void Dispatch(GrainReference reference, GrainRequest request)
    {
        request.EnqueuedTimestamp = _time.GetTimestamp();
        if (reference.RuntimeCache is IActivationTarget cached && cached.TryEnqueue(request))
        {
            return;
        }

        if (Cluster is { } cluster)
        {
            cluster.Dispatch(reference.GrainId, request, reference, hops: 0);
            return;
        }

        var target = Resolve(reference.GrainId, request);
        if (target is not null)
        {
            reference.RuntimeCache = target;
        }
    }

    /// <summary>Sends a request that was queued on an activation which then deactivated.</summary>
    internal void Redispatch(GrainId grainId, GrainRequest request)
    {
        if (Cluster is { } cluster)
        {
            cluster.Dispatch(grainId, request, null, hops: 0);
            return;
        }

        Resolve(grainId, request);
    }

    private IActivationTarget? Resolve(GrainId grainId, GrainRequest request)
    {
        try
        {
            // A target found in the catalog may be deactivating concurrently; it then leaves the
            // catalog, so the next look-up creates a fresh activation.
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var target = _catalog.GetOrCreate(grainId);
                if (target.TryEnqueue(request))
                {
                    return target;
                }

                Thread.Yield();
            }

            throw new InvalidOperationException($"Could not deliver {request} to {grainId}: its activation kept deactivating.");
        }
        catch (Exception ex)
        {
            request.TrySetException(ex);
            return null;
        }
    }

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        return Create<TGrainInterface>(primaryKey, grainClassNamePrefix);
    }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey =>
        Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey =>
        Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey =>
        Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey, keyExtension), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey =>
        Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey, keyExtension), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IAddressable
    {
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is empty.", nameof(grainId));
        }

        return CreateReference<TGrainInterface>(grainId);
    }

    private TGrainInterface Create<TGrainInterface>(string key, string? grainClassNamePrefix)
    {
        var grainClass = _catalog.Types.GetByInterface(typeof(TGrainInterface), grainClassNamePrefix);
        return CreateReference<TGrainInterface>(new GrainId(grainClass.GrainType, key));
    }

    private TGrainInterface CreateReference<TGrainInterface>(GrainId grainId) => CodeRegistry.CreateReference<TGrainInterface>(this, grainId);
}
