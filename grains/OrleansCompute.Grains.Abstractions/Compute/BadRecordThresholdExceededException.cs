namespace OrleansCompute.Grains.Compute;

/// <summary>A job saw more bad records than its <see cref="RejectionPolicy"/> allows.</summary>
public sealed class BadRecordThresholdExceededException : Exception
{
    public BadRecordThresholdExceededException(string message)
        : base(message)
    {
    }

    public BadRecordThresholdExceededException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
