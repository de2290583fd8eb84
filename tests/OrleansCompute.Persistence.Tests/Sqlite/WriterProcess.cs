using System.Globalization;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Sqlite;

/// <summary>
/// The test assembly's entry point, used only when a test starts this assembly as a separate process
/// (the test runner never calls it). <c>increment &lt;db&gt; &lt;grain key&gt; &lt;worker&gt; &lt;count&gt; &lt;signal folder&gt;</c>:
/// signals readiness, waits for the go signal, then does <c>count</c> read-increment-write cycles on one
/// shared record, retrying on <see cref="InconsistentStateException"/> like a grain would.
/// </summary>
public static class WriterProcess
{
    public const string StateName = "counter";

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["increment", var databasePath, var grainKey, var worker, var countText, var signalFolder])
        {
            await Console.Error.WriteLineAsync("usage: increment <db> <grain key> <worker> <count> <signal folder>");
            return 2;
        }

        var count = int.Parse(countText, CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(signalFolder, $"ready-{worker}"), "");
        var go = Path.Combine(signalFolder, "go");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(go))
        {
            if (DateTime.UtcNow > deadline)
            {
                return 3;
            }

            await Task.Delay(5);
        }

        await using var storage = TestStorage.CreateSqlite(
            $"process-{worker}",
            new SqliteGrainStorageOptions { DatabasePath = databasePath, BusyTimeout = TimeSpan.FromSeconds(30) });
        await IncrementAsync(storage, GrainId.Create("counter", grainKey), worker, count);
        return 0;
    }

    /// <summary>Adds one to <c>Visits</c> and to <c>Counters[worker]</c>, <paramref name="count"/> times, with optimistic retries.</summary>
    public static async Task<int> IncrementAsync(IGrainStorage storage, GrainId grainId, string worker, int count)
    {
        var conflicts = 0;
        var grainState = new GrainState<ProfileState>(new ProfileState());
        await storage.ReadStateAsync(StateName, grainId, grainState);
        for (var done = 0; done < count;)
        {
            grainState.State!.Visits++;
            grainState.State!.Counters[worker] = grainState.State!.Counters.GetValueOrDefault(worker) + 1;
            try
            {
                await storage.WriteStateAsync(StateName, grainId, grainState);
                done++;
            }
            catch (InconsistentStateException)
            {
                conflicts++;
                await storage.ReadStateAsync(StateName, grainId, grainState);
            }
        }

        return conflicts;
    }
}
