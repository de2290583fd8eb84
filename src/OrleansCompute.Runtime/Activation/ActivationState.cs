namespace OrleansCompute.Activation;

internal enum ActivationState
{
    /// <summary>Created in the catalog; the grain object does not exist yet.</summary>
    Creating,
    /// <summary>Constructing the grain, reading state, running <c>OnActivateAsync</c>.</summary>
    Activating,
    /// <summary>Serving calls.</summary>
    Valid,
    /// <summary>Running <c>OnDeactivateAsync</c>; new calls wait and are forwarded afterwards.</summary>
    Deactivating,
    /// <summary>Gone from the catalog; callers must look the grain up again.</summary>
    Invalid,
}
