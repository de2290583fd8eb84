namespace OrleansCompute.Invocation;

/// <summary>Per-method invocation flags, emitted by the code generator from method attributes.</summary>
[Flags]
public enum InvokeMethodOptions
{
    None = 0,
    /// <summary><c>[OneWay]</c>: no response is sent.</summary>
    OneWay = 1,
    /// <summary><c>[AlwaysInterleave]</c>: may run while other calls are in progress.</summary>
    AlwaysInterleave = 2,
}
