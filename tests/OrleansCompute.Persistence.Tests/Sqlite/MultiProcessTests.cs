using System.Diagnostics;
using System.Globalization;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Sqlite;

/// <summary>Several OS processes on one database file: the compare-and-set must hold across them (no lost updates).</summary>
public sealed class MultiProcessTests : IDisposable
{
    private const int Processes = 3;
    private const int IncrementsPerWriter = 25;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Read_modify_write_cycles_from_several_processes_and_this_one_lose_no_update()
    {
        var databasePath = _folder.File("shared.db");
        var signals = Directory.CreateDirectory(_folder.File("signals")).FullName;
        var grainKey = Guid.NewGuid().ToString("N");
        await using var local = TestStorage.CreateSqlite(
            "local",
            new SqliteGrainStorageOptions { DatabasePath = databasePath, BusyTimeout = TimeSpan.FromSeconds(30) });
        await local.InitializeAsync();

        var workers = Enumerable.Range(0, Processes).Select(i => StartWriter(databasePath, grainKey, $"p{i}", signals)).ToList();
        try
        {
            await WaitUntilAsync(() => Enumerable.Range(0, Processes).All(i => File.Exists(Path.Combine(signals, $"ready-p{i}"))), TimeSpan.FromSeconds(60));
            await File.WriteAllTextAsync(Path.Combine(signals, "go"), "");

            await WriterProcess.IncrementAsync(local, GrainId.Create("counter", grainKey), "local", IncrementsPerWriter);
            foreach (var worker in workers)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                await worker.WaitForExitAsync(timeout.Token);
                var stderr = await worker.StandardError.ReadToEndAsync();
                Assert.True(worker.ExitCode == 0, $"writer process exited with {worker.ExitCode}: {stderr}");
            }
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited)
                {
                    worker.Kill(entireProcessTree: true);
                }

                worker.Dispose();
            }
        }

        var final = new GrainState<ProfileState>(new ProfileState());
        await local.ReadStateAsync(WriterProcess.StateName, GrainId.Create("counter", grainKey), final);
        Assert.Equal((Processes + 1) * IncrementsPerWriter, final.State!.Visits);
        Assert.Equal(IncrementsPerWriter, final.State!.Counters["local"]);
        for (var i = 0; i < Processes; i++)
        {
            Assert.Equal(IncrementsPerWriter, final.State!.Counters[$"p{i}"]);
        }
    }

    private static Process StartWriter(string databasePath, string grainKey, string worker, string signals)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = false,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "exec", typeof(WriterProcess).Assembly.Location,
            "increment", databasePath, grainKey, worker, IncrementsPerWriter.ToString(CultureInfo.InvariantCulture), signals,
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the writer process.");
    }

    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The writer processes did not start in time.");
            }

            await Task.Delay(20);
        }
    }
}
