namespace OrleansCompute;

/// <summary>
/// Runs around every call a silo delivers to a grain (register in services), or around every call
/// to one grain class when the grain class implements it. Call <c>context.Invoke()</c> to proceed.
/// </summary>
public interface IIncomingGrainCallFilter
{
    Task Invoke(IIncomingGrainCallContext context);
}
