using OrleansCompute.Invocation;
using OrleansCompute.Runtime;

namespace OrleansCompute;

/// <summary>A grain call as seen by a call filter.</summary>
public interface IGrainCallContext
{
    /// <summary>The request: interface, method and arguments.</summary>
    GrainRequest Request { get; }

    /// <summary>The grain being called (incoming filters) or null (outgoing filters).</summary>
    object? Grain { get; }

    /// <summary>The caller's grain id, or default when the caller is not a grain.</summary>
    GrainId SourceId { get; }

    GrainId TargetId { get; }

    string InterfaceName => Request.InterfaceType.Name;

    string MethodName => Request.MethodName;

    /// <summary>The result once <see cref="Invoke"/> returned; a filter may replace it.</summary>
    object? Result { get; set; }

    /// <summary>Calls the next filter, or the grain method after the last one.</summary>
    Task Invoke();
}
