using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansCompute.Api.Security;

/// <summary>
/// The API's rate limit: one token bucket (<see cref="ApiOptions.RateLimitPerSecond"/>, <see cref="ApiOptions.RateLimitBurst"/>)
/// per validated API key (<see cref="ApiKeyIdentity"/>, set by the API-key middleware), or per remote address
/// (<see cref="ClientAddress"/>) for a request without one. The raw <c>X-Api-Key</c> header never picks a bucket, so
/// sending a different made-up key per request gets nothing more through than sending none.
/// </summary>
internal sealed class ApiRateLimitPolicy : IRateLimiterPolicy<ClientPartition>
{
    private readonly bool _off;
    private readonly Func<ClientPartition, TokenBucketRateLimiterOptions> _bucket;

    public ApiRateLimitPolicy(IOptions<ApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var api = options.Value;
        _off = api.RateLimitPerSecond == 0;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, api.RateLimitBurst),
            TokensPerPeriod = Math.Max(1, api.RateLimitPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = api.RateLimitQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
        _bucket = _ => bucket;
    }

    /// <summary>Null: the rate limiter's global <c>OnRejected</c> writes the 429 problem.</summary>
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => null;

    public RateLimitPartition<ClientPartition> GetPartition(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (_off)
        {
            return RateLimitPartition.GetNoLimiter(default(ClientPartition));
        }

        var client = httpContext.Features.Get<ApiKeyIdentity>() is { } key
            ? new ClientPartition(key.Index + 1, default)
            : new ClientPartition(0, ClientAddress.Of(httpContext.Connection.RemoteIpAddress));
        return RateLimitPartition.GetTokenBucketLimiter(client, _bucket);
    }
}
