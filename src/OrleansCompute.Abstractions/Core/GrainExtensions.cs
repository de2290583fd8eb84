using OrleansCompute.Runtime;

namespace OrleansCompute;

/// <summary>Key accessors for grains and grain references (Orleans's <c>GrainExtensions</c>).</summary>
public static class GrainExtensions
{
    /// <summary>The identity of a grain or grain reference.</summary>
    public static GrainId GetGrainId(this IAddressable grain) => grain switch
    {
        IHasGrainId withId => withId.GrainId,
        null => throw new ArgumentNullException(nameof(grain)),
        _ => throw new ArgumentException($"{grain.GetType()} is neither a grain nor a grain reference.", nameof(grain)),
    };

    public static string GetPrimaryKeyString(this IAddressable grain) => grain.GetGrainId().Key;

    public static long GetPrimaryKeyLong(this IAddressable grain) => GrainKeyFormat.ParseLong(grain.GetGrainId().Key, out _);

    public static long GetPrimaryKeyLong(this IAddressable grain, out string? keyExtension) =>
        GrainKeyFormat.ParseLong(grain.GetGrainId().Key, out keyExtension);

    public static Guid GetPrimaryKey(this IAddressable grain) => GrainKeyFormat.ParseGuid(grain.GetGrainId().Key, out _);

    public static Guid GetPrimaryKey(this IAddressable grain, out string? keyExtension) =>
        GrainKeyFormat.ParseGuid(grain.GetGrainId().Key, out keyExtension);

    /// <summary>Casts a grain reference to another grain interface the same grain implements.</summary>
    public static TGrainInterface AsReference<TGrainInterface>(this IAddressable grain)
        where TGrainInterface : IAddressable
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain switch
        {
            TGrainInterface already when grain is Invocation.GrainReference => already,
            Invocation.GrainReference reference => reference.Runtime.GrainFactory.GetGrain<TGrainInterface>(reference.GrainId),
            Grain g => g.GrainContext.GrainFactory.GetGrain<TGrainInterface>(g.GrainId),
            _ => throw new ArgumentException($"{grain.GetType()} is neither a grain nor a grain reference.", nameof(grain)),
        };
    }
}
