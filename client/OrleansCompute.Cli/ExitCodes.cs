namespace OrleansCompute.Cli;

/// <summary>Exit codes scripts can rely on (documented in README.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for <c>job run --watch</c>: the job completed).</summary>
    public const int Ok = 0;

    /// <summary>The job failed or was cancelled (<c>job run --watch</c>, <c>job result</c>).</summary>
    public const int JobFailed = 1;

    /// <summary>Bad command line or unusable input file (nothing was sent, or sending stopped at the bad part).</summary>
    public const int Usage = 2;

    /// <summary>The API refused the request (4xx other than 401/403, or 5xx); the message is its problem detail.</summary>
    public const int ApiError = 3;

    /// <summary>The API could not be reached (connection refused, unknown host, timeout).</summary>
    public const int CannotConnect = 4;

    /// <summary>The API key is missing or wrong (401/403).</summary>
    public const int AuthError = 5;

    /// <summary>Interrupted with Ctrl+C (a watched job keeps running on the server).</summary>
    public const int Interrupted = 130;
}
