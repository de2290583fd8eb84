namespace OrleansCompute.Configuration;

/// <summary>Idle activation collection. Bound from <c>OrleansCompute:GrainCollection</c>.</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>An activation with no calls for this long is deactivated. Default 15 minutes.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for. Default 1 minute.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long <c>OnDeactivateAsync</c> may run before the activation is dropped. Default 30 s.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The token passed to <c>OnActivateAsync</c> (and state reads) is cancelled after this. Default 30 s.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
