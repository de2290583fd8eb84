using System.Net;

namespace OrleansCompute.Api;

/// <summary>Settings of the HTTP API, bound from <c>OrleansCompute:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "OrleansCompute:Api";

    /// <summary>Default listen URL: loopback only, so no API key is needed out of the box.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Whether the silo co-hosts the API (default true). The standalone API host ignores it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// URLs to listen on. Default: ASP.NET Core's own settings when one is given (<c>--urls</c>, <c>ASPNETCORE_URLS</c>,
    /// <c>ASPNETCORE_HTTP_PORTS</c>), else <see cref="DefaultUrl"/>; <c>Kestrel:Endpoints</c> overrides both. Whatever the server
    /// binds in the end needs <see cref="ApiKeys"/> unless it is loopback (<see cref="Security.ListenAddressGuard"/>).
    /// </summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>Accepted values of the <c>X-Api-Key</c> header. Empty: no key is asked for (allowed only on loopback).</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Largest request body in bytes (default 32 MiB); larger gets 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Most events in one ingest request (default 100,000).</summary>
    public int MaxEventsPerBatch { get; set; } = 100_000;

    /// <summary>Requests per second each client (API key, or remote address without keys) may make on average; 0 turns rate limiting off. Default 1,000.</summary>
    public int RateLimitPerSecond { get; set; } = 1_000;

    /// <summary>Requests a client may make in a burst above the average (token bucket size). Default 2,000.</summary>
    public int RateLimitBurst { get; set; } = 2_000;

    /// <summary>How long a client's request may wait for a token before it is refused with 429. Default 0 (refused at once).</summary>
    public int RateLimitQueue { get; set; }

    /// <summary>
    /// Wrong API keys one client address (an IPv4 address, or an IPv6 /64) may send in a burst before requests from it that carry
    /// a key are answered 429 without being checked. Default 10.
    /// </summary>
    public int AuthFailureBurst { get; set; } = 10;

    /// <summary>After the burst, how many more wrong keys per minute an address may send (its budget refills one at a time). Default 10.</summary>
    public int AuthFailuresPerMinute { get; set; } = 10;

    /// <summary>The URLs in effect (<see cref="Urls"/>, or <see cref="DefaultUrl"/> when empty).</summary>
    public IReadOnlyList<string> EffectiveUrls => Urls.Count > 0 ? Urls : [DefaultUrl];

    /// <summary>Null when usable; otherwise why not, naming the setting (the silo then exits with code 2).</summary>
    public string? Validate()
    {
        foreach (var url in EffectiveUrls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return $"{Section}:Urls has '{url}', which is not an http:// or https:// URL.";
            }

            if (!IsLoopback(uri.Host) && !ApiKeys.Any(k => !string.IsNullOrWhiteSpace(k)))
            {
                return $"{Section}:Urls has '{url}', which is not a loopback address, so {Section}:ApiKeys must hold at least one key " +
                    "(clients send it in the X-Api-Key header). Set a key, or listen on 127.0.0.1 / localhost / [::1] only.";
            }
        }

        if (ApiKeys.Any(k => k is not null && k.Trim().Length is > 0 and < 16))
        {
            return $"{Section}:ApiKeys holds a key shorter than 16 characters; use long random keys.";
        }

        if (MaxRequestBodyBytes < 1024)
        {
            return $"{Section}:MaxRequestBodyBytes must be at least 1024 (was {MaxRequestBodyBytes}).";
        }

        if (MaxEventsPerBatch < 1)
        {
            return $"{Section}:MaxEventsPerBatch must be at least 1 (was {MaxEventsPerBatch}).";
        }

        if (AuthFailureBurst < 1 || AuthFailuresPerMinute < 1)
        {
            return $"{Section}:AuthFailureBurst and AuthFailuresPerMinute must be at least 1 (were {AuthFailureBurst} and {AuthFailuresPerMinute}).";
        }

        return RateLimitPerSecond < 0 || RateLimitBurst < 0 || RateLimitQueue < 0
            ? $"{Section}:RateLimitPerSecond, RateLimitBurst and RateLimitQueue must not be negative."
            : null;
    }

    /// <summary>Whether <paramref name="host"/> (from a URL) is a loopback name or address.</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        host = host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
