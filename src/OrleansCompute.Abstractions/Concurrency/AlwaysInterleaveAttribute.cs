namespace OrleansCompute.Concurrency;

/// <summary>This method may run while other calls to the same activation are in progress (at their awaits).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class AlwaysInterleaveAttribute : Attribute;
