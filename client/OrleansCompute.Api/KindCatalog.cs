using System.Diagnostics;
using OrleansCompute.Grains.Api;

namespace OrleansCompute.Api;

/// <summary>The job kinds the silos have registered (asked of a silo, cached for 30 s), and kind-name matching.</summary>
internal sealed class KindCatalog(IGrainFactory grains)
{
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(30);
    private volatile Cached? _cached;

    public async Task<List<string>> GetAsync(bool refresh = false)
    {
        if (!refresh && _cached is { } c && Stopwatch.GetElapsedTime(c.At) < s_ttl)
        {
            return c.Kinds;
        }

        var kinds = await grains.GetGrain<IApiSupportGrain>(0).GetKinds();
        _cached = new Cached(Stopwatch.GetTimestamp(), kinds);
        return kinds;
    }

    /// <summary>The registered name matching <paramref name="kind"/> (ignoring case, <c>-</c> and <c>_</c>); 400 listing the kinds otherwise.</summary>
    public async Task<string> ResolveAsync(string kind)
    {
        var wanted = JobMapping.NormalizeKind(kind);
        foreach (var refresh in new[] { false, true })
        {
            var kinds = await GetAsync(refresh);
            var match = kinds.FirstOrDefault(k => JobMapping.NormalizeKind(k) == wanted);
            if (match is not null)
            {
                return match;
            }

            if (refresh)
            {
                throw Problems.Invalid("kind", $"Unknown job kind {Problems.Quote(kind)}. Registered kinds: {string.Join(", ", kinds)}.");
            }
        }

        throw new UnreachableException();
    }

    /// <summary>One immutable snapshot, swapped as a whole (readers never see half an update).</summary>
    private sealed record Cached(long At, List<string> Kinds);
}
