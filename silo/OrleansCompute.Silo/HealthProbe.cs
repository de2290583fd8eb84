namespace OrleansCompute.Silo;

/// <summary>
/// <c>OrleansCompute.Silo probe [url]</c>: one GET of the silo's readiness endpoint, exit code 0 when it answers 2xx,
/// 1 otherwise. For container health checks: the .NET runtime images ship no curl or wget.
/// </summary>
internal static class HealthProbe
{
    public const string DefaultUrl = "http://127.0.0.1:8080/health/ready";

    public static async Task<int> RunAsync(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await Console.Error.WriteLineAsync($"probe: '{url}' is not an http(s) URL.");
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(uri);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await Console.Error.WriteLineAsync($"probe: {uri} answered {(int)response.StatusCode}.");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"probe: {uri}: {ex.Message}");
            return 1;
        }
    }
}
