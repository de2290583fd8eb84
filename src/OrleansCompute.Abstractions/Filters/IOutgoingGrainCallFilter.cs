namespace OrleansCompute;

/// <summary>Runs around every call made through grain references in this process. Call <c>context.Invoke()</c> to proceed.</summary>
public interface IOutgoingGrainCallFilter
{
    Task Invoke(IOutgoingGrainCallContext context);
}
