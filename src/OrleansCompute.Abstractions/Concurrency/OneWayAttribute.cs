namespace OrleansCompute.Concurrency;

/// <summary>Fire-and-forget: the caller does not wait for the result and the returned task completes at once. Exceptions are logged, not returned.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class OneWayAttribute : Attribute;
