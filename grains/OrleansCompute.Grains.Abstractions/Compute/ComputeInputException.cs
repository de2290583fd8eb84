namespace OrleansCompute.Grains.Compute;

/// <summary>An input cannot be read: it escapes the data roots, matches nothing, or a column it names is missing.</summary>
public sealed class ComputeInputException : Exception
{
    public ComputeInputException(string message)
        : base(message)
    {
    }

    public ComputeInputException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
