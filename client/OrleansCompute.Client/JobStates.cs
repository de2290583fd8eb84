namespace OrleansCompute.Client;

/// <summary>The job states the API reports in <c>JobStatusView.State</c>.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>True for <c>completed</c>, <c>failed</c> and <c>cancelled</c>: the state will not change again.</summary>
    public static bool IsTerminal(string? state) =>
        string.Equals(state, Completed, StringComparison.OrdinalIgnoreCase)
        || string.Equals(state, Failed, StringComparison.OrdinalIgnoreCase)
        || string.Equals(state, Cancelled, StringComparison.OrdinalIgnoreCase);
}
