namespace OrleansCompute.Invocation;

/// <summary>The result type of requests for methods that return <see cref="Task"/> or <see cref="ValueTask"/>.</summary>
public readonly struct VoidResult : IEquatable<VoidResult>
{
    public bool Equals(VoidResult other) => true;

    public override bool Equals(object? obj) => obj is VoidResult;

    public override int GetHashCode() => 0;

    public static bool operator ==(VoidResult left, VoidResult right) => true;

    public static bool operator !=(VoidResult left, VoidResult right) => false;
}
