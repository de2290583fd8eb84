using System.Globalization;
using Orleans;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using OrleansCompute.Hosting;
using StableHash = OrleansCompute.Grains.Compute.Jobs.StableHash;

namespace OrleansCompute.Grains.Placement;

/// <summary>
/// Spreads the members of a group evenly over the silos: a grain whose string key is <c>{group}/{index}</c> (a job's
/// split <c>{jobId}/{splitId}</c>, a dataset's stream partition <c>{dataset}/{p}</c>) goes to silo
/// <c>(index + hash(group)) mod n</c> of the <c>n</c> compatible silos sorted by address. So 12 splits on 3 silos are
/// 4, 4 and 4 (Orleans's random placement gives one silo more than half, or none, about one time in five), and
/// different groups start on different silos. Placed by <see cref="SpreadPlacementDirector"/>.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SpreadPlacement : PlacementStrategy;

/// <summary>Places the grain class with <see cref="SpreadPlacement"/> (its key must be <c>{group}/{index}</c>; other keys are hashed whole).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SpreadPlacementAttribute() : PlacementAttribute(new SpreadPlacement());

/// <summary>
/// Orleans placement director of <see cref="SpreadPlacement"/> (registered by <c>AddOrleansCompute</c> with Orleans's
/// <c>AddPlacementDirector</c>). It runs on the silo that sends the first call to a grain without an activation, with
/// that silo's view of the cluster: <see cref="IPlacementContext.GetCompatibleSilos"/> lists the active silos that host
/// the grain type (a silo that joined is there once it is Active and its grain manifest was fetched; one that is shutting
/// down is gone as soon as its status reached the caller). When the list changes, the same formula applies to the new
/// list: new activations land on the new silos, existing ones stay where they are until they move (see
/// <see cref="PreferredSilo"/>).
/// </summary>
public sealed class SpreadPlacementDirector(IClusterManifestProvider manifests, SiloDrain? drain = null) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target);
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, silos) is { } hint)
        {
            return Task.FromResult(hint);
        }

        // A silo that is leaving never places a grain on itself: from the start of its drain (SiloDrain, before it announces
        // ShuttingDown) — this is how its stream partitions move away — and until its own status reaches its manifest.
        if ((context.LocalSiloStatus is not SiloStatus.Active || drain is { IsDraining: true }) && silos.Length > 1 && Array.IndexOf(silos, context.LocalSilo) >= 0)
        {
            silos = Array.FindAll(silos, s => !s.Equals(context.LocalSilo));
        }

        return Task.FromResult(Pick(target.GrainIdentity, silos));
    }

    /// <summary>
    /// Where <paramref name="grain"/> belongs in this silo's current view: the active silos whose grain manifest has
    /// its type (what Orleans also gives <see cref="OnAddActivation"/> when it places a migrating grain). Null when no
    /// silo is known to host the type.
    /// </summary>
    public SiloAddress? PreferredSilo(GrainId grain)
    {
        var current = manifests.Current;
        var silos = new List<SiloAddress>(current.Silos.Count);
        foreach (var (silo, manifest) in current.Silos)
        {
            if (manifest.Grains.ContainsKey(grain.Type))
            {
                silos.Add(silo);
            }
        }

        return silos.Count == 0 ? null : Pick(grain, silos);
    }

    /// <summary>The silo of <paramref name="grain"/> among <paramref name="silos"/> (not empty), whatever their order.</summary>
    public static SiloAddress Pick(GrainId grain, IReadOnlyCollection<SiloAddress> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        if (silos.Count == 0)
        {
            // The cluster's state, not a fault of the call (every silo left, or this one is stopping): callers retry it
            // like an unreachable silo (the API answers 503).
            throw new SiloUnavailableException($"No active silo hosts {grain.Type}; retry once a silo is active.");
        }

        var sorted = silos.ToArray();
        Array.Sort(sorted); // every silo sorts the same list the same way: the outcome depends only on the set
        return sorted[Slot(grain.Key.ToString(), sorted.Length)];
    }

    /// <summary>Index among <paramref name="count"/> sorted silos of a grain keyed <paramref name="key"/>.</summary>
    public static int Slot(string key, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var slash = key.LastIndexOf('/');
        if (slash > 0 && int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            var offset = StableHash.Fnv1a(key.AsSpan(0, slash)) % (uint)count;
            return (int)(((uint)index % (uint)count + offset) % (uint)count);
        }

        return (int)(StableHash.Fnv1a(key) % (uint)count);
    }
}
