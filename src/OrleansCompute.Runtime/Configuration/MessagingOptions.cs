namespace OrleansCompute.Configuration;

/// <summary>Call behaviour. Bound from <c>OrleansCompute:Messaging</c>.</summary>
public sealed class MessagingOptions
{
    /// <summary>A call with no response after this long fails with <see cref="TimeoutException"/>. Default 30 s;
    /// override per method with <c>[ResponseTimeout]</c>.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often pending calls are checked against their timeout (the timeout's precision). Default 200 ms.</summary>
    public TimeSpan ResponseTimeoutCheckInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Turns an activation runs before yielding its thread to others. Default 64.</summary>
    public int ActivationTurnBatch { get; set; } = 64;
}
