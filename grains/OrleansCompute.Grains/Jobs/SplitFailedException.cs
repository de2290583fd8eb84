namespace OrleansCompute.Grains.Jobs;

/// <summary>A split failed every attempt the job grain allows: the job fails with this message.</summary>
internal sealed class SplitFailedException(string message, Exception innerException) : Exception(message, innerException);
