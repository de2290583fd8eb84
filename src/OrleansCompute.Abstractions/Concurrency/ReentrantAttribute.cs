namespace OrleansCompute.Concurrency;

/// <summary>The grain's calls may interleave at await points (one thread at a time still).</summary>
[AttributeUsage(AttributeTargets.Class|AttributeTargets.Interface, Inherited = true)]
public sealed class ReentrantAttribute : Attribute;
