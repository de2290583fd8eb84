using System.Net;
using System.Text;

namespace OrleansCompute.Api.Tests;

/// <summary><c>GET /api/jobs/{id}/splits</c> and the status's <c>splitsBySilo</c> over the 2-silo API cluster.</summary>
[Collection(ApiCollection.Name)]
public sealed class JobSplitsApiTests(ApiCluster api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task Splits_name_the_silos_that_ran_them_page_and_filter_and_add_up_per_silo()
    {
        var text = new StringBuilder();
        for (var line = 0; line < 3000; line++)
        {
            text.Append("split records per silo line ").Append(line).Append('\n');
        }

        api.WriteFile("splits/words.txt", text.ToString());
        var id = $"splits-{Guid.NewGuid():N}";
        using var submit = await Http.PostAsync("/api/jobs", ApiCluster.Json($$$"""{"id":"{{{id}}}","kind":"word-count","input":{"path":"splits/words.txt","splitBytes":4096}}"""));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var status = await api.WaitForJob(id);
        Assert.Equal("completed", status.GetProperty("state").GetString());
        var total = status.GetProperty("splitsTotal").GetInt32();
        Assert.True(total > 10, $"{total} splits");

        var silos = api.SiloAddresses.Select(s => s.ToParsableString()).ToHashSet();
        var bySilo = status.GetProperty("splitsBySilo").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.All(bySilo.Keys, s => Assert.Contains(s, silos));
        Assert.Equal(total, bySilo.Values.Sum());

        var all = await ApiCluster.ReadJson(await Http.GetAsync($"/api/jobs/{id}/splits?limit=1000"));
        Assert.Equal(total, all.GetProperty("total").GetInt32());
        var rows = all.GetProperty("splits").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, total), rows.Select(r => r.GetProperty("split").GetInt32()));
        Assert.All(rows, r =>
        {
            Assert.Equal("done", r.GetProperty("state").GetString());
            Assert.Contains(r.GetProperty("silo").GetString()!, silos);
            Assert.Equal(1, r.GetProperty("attempts").GetInt32());
            Assert.Equal(0, r.GetProperty("retries").GetInt32());
            Assert.Equal(0, r.GetProperty("resumes").GetInt32());
        });
        Assert.Equal(3000, rows.Sum(r => r.GetProperty("records").GetInt64()));
        Assert.Equal(bySilo.OrderBy(p => p.Key), rows.GroupBy(r => r.GetProperty("silo").GetString()!).ToDictionary(g => g.Key, g => g.Count()).OrderBy(p => p.Key));

        var page = await ApiCluster.ReadJson(await Http.GetAsync($"/api/jobs/{id}/splits?offset=2&limit=3&state=Done"));
        Assert.Equal("done", page.GetProperty("state").GetString());
        Assert.Equal([2, 3, 4], page.GetProperty("splits").EnumerateArray().Select(r => r.GetProperty("split").GetInt32()));
        var failed = await ApiCluster.ReadJson(await Http.GetAsync($"/api/jobs/{id}/splits?state=failed"));
        Assert.Equal(0, failed.GetProperty("total").GetInt32());

        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}/splits?state=bogus"), HttpStatusCode.BadRequest, "pending, running, done, failed");
        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}/splits?limit=0"), HttpStatusCode.BadRequest, "limit");
        await ApiCluster.AssertProblem(await Http.GetAsync($"/api/jobs/{id}/splits?offset=-1"), HttpStatusCode.BadRequest, "offset");
        await ApiCluster.AssertProblem(await Http.GetAsync("/api/jobs/no-such-job/splits"), HttpStatusCode.NotFound);
    }
}
