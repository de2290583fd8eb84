using System.Net;
using System.Net.Http.Headers;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Tests;

/// <summary>How the silo serves the dashboard's files (plain HTTP, no browser).</summary>
[Collection(LiveSiloCollection.Name)]
public sealed class DashboardHttpTests(LiveSilo silo)
{
    private HttpClient Http() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(silo.Url) };

    [Fact]
    public async Task Page_is_public_and_locked_down_while_the_api_needs_a_key()
    {
        using var http = Http();

        using var page = await http.GetAsync(ApiRoutes.Dashboard);
        using var api = await http.GetAsync(ApiRoutes.Jobs);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"dashboard/dashboard.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal); // no CDN
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Job_page_is_served_for_any_job_id_with_the_same_lockdown_and_relative_assets()
    {
        using var http = Http();
        var id = new string('j', 128);
        using var page = await http.GetAsync(ApiRoutes.Dashboard + "/jobs/" + id);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"../job.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"stylesheet\" href=\"../dashboard.css\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal); // no CDN

        // The relative asset path resolves under /dashboard.
        var script = new Uri(new Uri(silo.Url + ApiRoutes.Dashboard + "/jobs/" + id), "../job.js");
        Assert.Equal(ApiRoutes.Dashboard + "/job.js", script.AbsolutePath);
    }

    [Theory]
    [InlineData("dashboard.js", "text/javascript")]
    [InlineData("dashboard.css", "text/css")]
    [InlineData("common.js", "text/javascript")]
    [InlineData("job.js", "text/javascript")]
    public async Task Assets_have_an_etag_and_revalidate_to_304(string file, string mediaType)
    {
        using var http = Http();

        using var first = await http.GetAsync($"{ApiRoutes.Dashboard}/{file}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(mediaType, first.Content.Headers.ContentType!.MediaType);
        Assert.True((await first.Content.ReadAsByteArrayAsync()).Length > 1000);
        var etag = first.Headers.ETag!;

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{ApiRoutes.Dashboard}/{file}");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);

        using var stale = new HttpRequestMessage(HttpMethod.Get, $"{ApiRoutes.Dashboard}/{file}");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        using var third = await http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.html")]
    [InlineData("/dashboard/job.html")]
    public async Task Other_spellings_of_the_page_redirect_to_it(string path)
    {
        using var http = Http();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(ApiRoutes.Dashboard, response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/dashboard/nope.js")]
    [InlineData("/dashboard/..%2Fappsettings.json")]
    public async Task Unknown_files_are_404_problems(string path)
    {
        using var http = Http();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
