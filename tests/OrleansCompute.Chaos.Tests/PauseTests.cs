using System.Diagnostics;
using System.Globalization;
using OrleansCompute.Grains.Counters;
using Xunit.Abstractions;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// The pause the failure-detection profile tolerates: a silo process frozen (SIGSTOP: a stop-the-world GC pause, a starved
/// VM) while its host stays up is not declared dead, and serves again once it runs (SIGCONT). Its kernel keeps the
/// connections to the other silos open, so Orleans's connection liveness check holds back every vote until no message has
/// come from it for <c>MaxProbeTimeout × NumMissedProbesLimit</c> (8 s in the profile), however short the probes are.
/// </summary>
[Collection("chaos")]
public sealed class PauseTests(ITestOutputHelper output)
{
    /// <summary>The pause the profile's documentation promises to tolerate (README, "Failure detection profile").</summary>
    private static readonly TimeSpan s_pause = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_silo_frozen_for_5_s_is_not_declared_dead_and_serves_again()
    {
        await using var cluster = await ChaosCluster.StartAsync(3, ["--Logging:LogLevel:Orleans.Runtime.MembershipService=Information"], api: false);
        var victim = cluster.Silos[2]!;
        var client = cluster.Client;
        var canaries = Enumerable.Range(0, 30).Select(i => $"pause-canary-{i}").ToArray();
        await Task.WhenAll(canaries.Select(c => client.GetGrain<ICounterGrain>(c).Add(1)));
        var row = await WaitActiveAsync(cluster, victim.SiloEndpoint, TimeSpan.FromSeconds(30));
        Assert.True(row is not null, $"{victim.Name} has no active membership row");

        // Frozen for the pause, watched all along and for as long again after it: its row must never say Dead.
        var clock = Stopwatch.StartNew();
        victim.Pause();
        var rowsSeen = new List<string>();
        try
        {
            while (clock.Elapsed < s_pause)
            {
                await SeeAsync(cluster, row!.Address, clock, rowsSeen);
                await Task.Delay(250);
            }
        }
        finally
        {
            victim.Resume();
        }

        var resumedAt = clock.Elapsed;
        var answered = await ChurnTests.WaitAllAnswerAsync(client, canaries, clock, resumedAt + TimeSpan.FromSeconds(20));
        while (clock.Elapsed < resumedAt + s_pause)
        {
            await SeeAsync(cluster, row!.Address, clock, rowsSeen);
            await Task.Delay(250);
        }

        var final = (await cluster.MembershipAsync()).Single(r => r.Address == row!.Address);
        var probeMisses = LoadTests.SilosLogged(cluster, "Did not get response for probe");
        var suppressed = LoadTests.SilosLogged(cluster, "Suppressing vote to suspect silo");
        var report = new ChaosReport($"pause: {victim.Name} frozen (SIGSTOP) for {s_pause.TotalSeconds:F0} s, 3 silos");
        report.Add("its row after the pause / suspicions in it", $"{final.Status} / {final.Suspicions.Count}");
        report.Add("probes missed / votes held back (connection alive)", $"{probeMisses} / {suppressed}");
        report.Add("resumed → all canaries answer", $"{((answered - resumedAt)?.TotalMilliseconds ?? double.NaN):F0} ms");
        report.Publish(output);
        foreach (var line in rowsSeen)
        {
            output.WriteLine(line);
        }

        Assert.True(final.IsActive, $"{victim.Name} was declared {final.Status} for a {s_pause.TotalSeconds:F0} s pause:\n{string.Join('\n', rowsSeen)}");
        Assert.DoesNotContain(rowsSeen, r => r.Contains("Dead", StringComparison.Ordinal));
        Assert.False(victim.HasExited, $"{victim.Name} exited:\n{victim.Output}");
        Assert.Empty(cluster.UnexpectedExits());
        Assert.True(answered is not null, "the canaries did not all answer within 20 s of the resume");
    }

    private static async Task<Testing.Servers.MembershipRow?> WaitActiveAsync(ChaosCluster cluster, string endpoint, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if ((await cluster.MembershipAsync()).FirstOrDefault(r => r.Endpoint == endpoint && r.IsActive) is { } row)
            {
                return row;
            }

            await Task.Delay(100);
        }

        return null;
    }

    /// <summary>Adds the row's status and suspicion count to <paramref name="seen"/> when they changed.</summary>
    private static async Task SeeAsync(ChaosCluster cluster, string address, Stopwatch clock, List<string> seen)
    {
        var row = (await cluster.MembershipAsync()).Single(r => r.Address == address);
        var state = $"{row.Status}, {row.Suspicions.Count} suspicion(s)";
        if (seen.Count == 0 || !seen[^1].EndsWith(state, StringComparison.Ordinal))
        {
            seen.Add(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds,5:F1} s: {state}"));
        }
    }
}
