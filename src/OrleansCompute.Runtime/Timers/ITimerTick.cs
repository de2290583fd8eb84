namespace OrleansCompute.Timers;

/// <summary>Marks a request that is a timer tick (not a call): it only counts as activity when keep-alive.</summary>
internal interface ITimerTick
{
    bool KeepAlive { get; }
}
