namespace OrleansCompute;

/// <summary>
/// The silo a call was sent to is dead or unreachable. The call may or may not have run; retry it
/// (the grain will be reactivated on a live silo) if the operation is safe to repeat.
/// </summary>
public sealed class SiloUnavailableException : Exception
{
    public SiloUnavailableException(string message) : base(message)
    {
    }

    public SiloUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
