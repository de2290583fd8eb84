namespace OrleansCompute.Blobs;

/// <summary>
/// How <see cref="BlobRestClient"/> retries transient failures: HTTP 408, 429, 500, 502, 503 and 504, connection
/// failures (refused, reset, DNS) and attempts that take longer than <see cref="AttemptTimeout"/>. The delay before
/// retry n (1-based) is <c>min(MaxDelay, InitialDelay · 2^(n-1))</c> with ±20 % jitter. Other errors (400, 403, 404,
/// 409, 412, …) are never retried.
/// </summary>
internal sealed class BlobRetryOptions
{
    /// <summary>Attempts in all, the first included. Default 4; at least 1.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Delay before the first retry. Default 200 ms.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one delay. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest one attempt (connect, send, response headers) may take. Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first problem with these options, or null.</summary>
    public string? Check()
    {
        if (MaxAttempts < 1)
        {
            return "MaxAttempts must be at least 1.";
        }

        if (InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            return "InitialDelay must not be negative and MaxDelay must be at least InitialDelay.";
        }

        return AttemptTimeout <= TimeSpan.Zero || AttemptTimeout.TotalMilliseconds > int.MaxValue ? "AttemptTimeout must be positive." : null;
    }

    /// <summary>The delay before retry <paramref name="retry"/> (1-based), jittered.</summary>
    public TimeSpan DelayBefore(int retry)
    {
        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        var bounded = Math.Min(MaxDelay.TotalMilliseconds, exponential);
#pragma warning disable CA5394 // jitter, not security
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, bounded * jitter));
    }
}
