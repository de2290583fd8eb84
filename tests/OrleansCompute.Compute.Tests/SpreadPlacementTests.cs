using System.Net;
using OrleansCompute.Grains.Placement;

namespace OrleansCompute.Compute.Tests;

/// <summary>The spread placement's formula: a group's members over the silos, evenly, the same on every silo.</summary>
public sealed class SpreadPlacementTests
{
    private static readonly GrainType s_type = GrainType.Create("partition");

    [Fact]
    public void Every_jobs_splits_are_spread_evenly_whatever_the_job_id()
    {
        var silos = Silos(3);
        for (var job = 0; job < 500; job++)
        {
            var jobId = Guid.NewGuid().ToString("N");
            var perSilo = Enumerable.Range(0, 12)
                .Select(split => SpreadPlacementDirector.Pick(Grain($"{jobId}/{split}"), silos))
                .GroupBy(s => s)
                .Select(g => g.Count())
                .ToList();
            Assert.Equal([4, 4, 4], perSilo);
        }

        // A dataset's 16 stream partitions over 3 silos: 6, 5, 5; the first partition starts on a silo that depends on the group.
        var partitions = Enumerable.Range(0, 16).Select(p => SpreadPlacementDirector.Pick(Grain($"sales/{p}"), silos)).GroupBy(s => s).Select(g => g.Count());
        Assert.Equal([5, 5, 6], partitions.Order());
        var firsts = Enumerable.Range(0, 60).Select(d => SpreadPlacementDirector.Pick(Grain($"dataset{d}/0"), silos)).Distinct().Count();
        Assert.Equal(3, firsts);
    }

    [Fact]
    public void The_choice_depends_on_the_set_of_silos_not_on_their_order()
    {
        var silos = Silos(4);
        var shuffled = silos.Reverse().ToArray();
        for (var split = 0; split < 40; split++)
        {
            var grain = Grain($"job-a/{split}");
            Assert.Equal(SpreadPlacementDirector.Pick(grain, silos), SpreadPlacementDirector.Pick(grain, shuffled));
        }
    }

    [Fact]
    public void Keys_without_an_index_are_hashed_whole_and_stay_in_range()
    {
        for (var n = 1; n <= 7; n++)
        {
            foreach (var key in new[] { "plain", "a/b", "x/-1", "x/", "/3", "a/99999999999" })
            {
                Assert.InRange(SpreadPlacementDirector.Slot(key, n), 0, n - 1);
            }
        }

        Assert.Throws<SiloUnavailableException>(() => SpreadPlacementDirector.Pick(Grain("a/1"), [])); // retried like an unreachable silo (503 at the API)
    }

    private static GrainId Grain(string key) => GrainId.Create(s_type, key);

    private static SiloAddress[] Silos(int count) => [.. Enumerable.Range(0, count)
        .Select(i => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111 + i), 1000 + i))];
}
