using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace OrleansCompute.Api.Security;

/// <summary>
/// Which addresses the web server of a silo or API host is told to listen on. Precedence, first wins: <c>Kestrel:Endpoints</c>
/// (Kestrel's own rule); <c>OrleansCompute:Api:Urls</c>; ASP.NET Core's own settings (<c>--urls</c> / <c>ASPNETCORE_URLS</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c> / <c>ASPNETCORE_HTTPS_PORTS</c>); else <see cref="ApiOptions.DefaultUrl"/> (loopback).
/// Whatever is bound in the end is checked by <see cref="ListenAddressGuard"/>.
/// </summary>
public static class ApiListenUrls
{
    /// <summary>Tells <paramref name="webHost"/> to listen on <c>OrleansCompute:Api:Urls</c>, or on the default unless ASP.NET Core's own settings name addresses.</summary>
    public static void Configure(IWebHostBuilder webHost, IConfiguration configuration, ApiOptions api)
    {
        ArgumentNullException.ThrowIfNull(webHost);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(api);
        if (api.Urls.Count > 0 || !HasAspNetCoreAddresses(configuration))
        {
            webHost.UseUrls([.. api.EffectiveUrls]);
        }
    }

    /// <summary>Where the addresses come from, for a message when listening fails.</summary>
    public static string Describe(IConfiguration configuration, ApiOptions api)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(api);
        if (configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            return "Kestrel:Endpoints";
        }

        return api.Urls.Count > 0 || !HasAspNetCoreAddresses(configuration)
            ? string.Join(", ", api.EffectiveUrls)
            : string.Join(", ", new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }
                .Where(k => !string.IsNullOrWhiteSpace(configuration[k])).Select(k => $"{k}={configuration[k]}"));
    }

    private static bool HasAspNetCoreAddresses(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey]);
}
