namespace OrleansCompute.Timers;

/// <summary>Options for a grain timer.</summary>
public readonly record struct GrainTimerCreationOptions
{
    public GrainTimerCreationOptions(TimeSpan dueTime, TimeSpan period)
    {
        DueTime = dueTime;
        Period = period;
    }

    /// <summary>Time until the first tick.</summary>
    public TimeSpan DueTime { get; init; }

    /// <summary>Time between ticks, measured from the end of one tick to the start of the next.
    /// <see cref="Timeout.InfiniteTimeSpan"/> fires once.</summary>
    public TimeSpan Period { get; init; }

    /// <summary>When false (the default) a tick is a turn like any call and never interleaves with calls;
    /// when true it may run while a call is waiting on an await.</summary>
    public bool Interleave { get; init; }

    /// <summary>When true, ticks count as activity and keep the activation from idle collection. Default false.</summary>
    public bool KeepAlive { get; init; }
}
