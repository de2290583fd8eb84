namespace OrleansCompute.Timers;

/// <summary>A grain timer. Dispose it to stop it; timers also stop when the activation deactivates.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes the due time and period (<see cref="Timeout.InfiniteTimeSpan"/> period: fire once).</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
