namespace OrleansCompute.Runtime;

/// <summary>A deactivation reason: a code plus a human-readable description.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode ReasonCode, string Description)
{
    /// <summary>The exception that caused the deactivation, if any.</summary>
    public Exception? Exception { get; init; }

    public override string ToString() => $"{ReasonCode}: {Description}";
}
