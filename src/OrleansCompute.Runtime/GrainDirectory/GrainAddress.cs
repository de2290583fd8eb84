using OrleansCompute.Runtime;

namespace OrleansCompute.GrainDirectory;

/// <summary>Where one activation of a grain lives.</summary>
/// <param name="GrainId">The grain.</param>
/// <param name="SiloAddress">The silo hosting the activation.</param>
/// <param name="ActivationId">Distinguishes activations of the same grain over time.</param>
public sealed record GrainAddress(GrainId GrainId, SiloAddress SiloAddress, Guid ActivationId);
