namespace OrleansCompute.Concurrency;

/// <summary>The value is never mutated after it is sent, so the runtime need not copy it.</summary>
[AttributeUsage(AttributeTargets.Class|AttributeTargets.Struct|AttributeTargets.Parameter|AttributeTargets.ReturnValue, Inherited = true)]
public sealed class ImmutableAttribute : Attribute;
