using System.Diagnostics.CodeAnalysis;
using OrleansCompute.Runtime;

namespace OrleansCompute.Invocation;

/// <summary>
/// Base class of generated grain proxies: a typed handle to a grain that turns interface calls
/// into <see cref="GrainRequest"/>s. References are cheap, immutable and safe to share.
/// </summary>
public abstract class GrainReference : IAddressable, IHasGrainId, IEquatable<GrainReference>
{
    protected GrainReference(IGrainReferenceRuntime runtime, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        Runtime = runtime;
        GrainId = grainId;
    }

    public GrainId GrainId { get; }

    public IGrainReferenceRuntime Runtime { get; }

    /// <summary>The grain interface this proxy implements.</summary>
    public abstract Type InterfaceType { get; }

    /// <summary>A slot the runtime may use to cache where the grain lives (e.g. a local activation).</summary>
    [SuppressMessage("Design", "CA1051", Justification = "Hot-path cache slot written with Volatile by the runtime.")]
    public object? RuntimeCache;

    protected ValueTask<TResult> InvokeAsync<TResult>(GrainRequest<TResult> request) => Runtime.InvokeAsync(this, request);

    protected void InvokeOneWay(GrainRequest request) => Runtime.InvokeOneWay(this, request);

    public bool Equals(GrainReference? other) => other is not null && GrainId == other.GrainId && InterfaceType == other.InterfaceType;

    public override bool Equals(object? obj) => Equals(obj as GrainReference);

    public override int GetHashCode() => GrainId.GetHashCode();

    public override string ToString() => $"{InterfaceType.Name}:{GrainId}";
}
