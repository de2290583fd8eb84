using OrleansCompute.Runtime;

namespace OrleansCompute;

/// <summary>
/// Creates references to grains. A reference is cheap and never activates anything by itself:
/// the grain is activated (somewhere in the cluster) on the first call made through it.
/// </summary>
public interface IGrainFactory
{
    /// <param name="primaryKey">The grain's key.</param>
    /// <param name="grainClassNamePrefix">Full or partial class name of the implementation, needed only when
    /// several grain classes implement <typeparamref name="TGrainInterface"/>.</param>
    TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey;

    TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey;

    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey;

    TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey;

    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey;

    /// <summary>A reference to the grain with the given identity, typed as <typeparamref name="TGrainInterface"/>.</summary>
    TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IAddressable;
}
