using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansCompute.Api.Security;

/// <summary>
/// Wrong API keys, counted per client address (<see cref="ClientAddress"/>): a token bucket of
/// <see cref="ApiOptions.AuthFailureBurst"/> failures that refills by one every minute / <see cref="ApiOptions.AuthFailuresPerMinute"/>.
/// An address whose bucket is empty may not present a key at all until it refills (the key is not even checked, so a
/// guess gets the same answer whether it is right or wrong).
/// </summary>
internal sealed class AuthFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<ClientAddress> _limiter;
    private readonly TimeSpan _refill;

    public AuthFailureLimiter(IOptions<ApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var api = options.Value;
        _refill = TimeSpan.FromMinutes(1) / Math.Max(1, api.AuthFailuresPerMinute);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, api.AuthFailureBurst),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = _refill,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        Func<ClientAddress, TokenBucketRateLimiterOptions> factory = _ => bucket;
        _limiter = PartitionedRateLimiter.Create<ClientAddress, ClientAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address, factory));
    }

    /// <summary>Whether <paramref name="address"/> may present a key now (one whole failure left); if not, how long until it may.</summary>
    public bool MayTry(ClientAddress address, out TimeSpan retryAfter)
    {
        // Not AttemptAcquire(0): inside a partitioned limiter the bucket refills continuously (fractions of a token every
        // 100 ms), and a zero-permit attempt succeeds on any fraction. A whole failure must be left.
        var left = _limiter.GetStatistics(address)?.CurrentAvailablePermits ?? long.MaxValue;
        retryAfter = left >= 1 ? TimeSpan.Zero : _refill;
        return left >= 1;
    }

    /// <summary>Counts a wrong key from <paramref name="address"/>; false (with the wait) when its budget was already spent.</summary>
    public bool TryRecordFailure(ClientAddress address, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(address, 1);
        return Granted(lease, out retryAfter);
    }

    public void Dispose() => _limiter.Dispose();

    private static bool Granted(RateLimitLease lease, out TimeSpan retryAfter)
    {
        retryAfter = lease.IsAcquired ? TimeSpan.Zero
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait
            : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }
}
