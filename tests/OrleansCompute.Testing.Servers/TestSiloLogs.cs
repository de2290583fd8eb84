using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost.Logging;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// Log files of in-process test silos: <c>./test.sh</c> sets <c>OCX_TEST_LOG_DIR</c> (<c>.ci/out/silo-logs</c>), and each
/// test silo then writes Orleans's warnings and our own information there, one file per silo (Orleans.TestingHost's
/// file logger), so a failure in CI can be read afterwards. Without the variable nothing is written.
/// </summary>
public static class TestSiloLogs
{
    private static int s_silos;

    public static void AddTo(IServiceCollection services, string prefix)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (Environment.GetEnvironmentVariable("OCX_TEST_LOG_DIR") is not { Length: > 0 } logs)
        {
            return;
        }

        Directory.CreateDirectory(logs);
        var file = Path.Combine(logs, $"{prefix}-{Environment.ProcessId}-{Interlocked.Increment(ref s_silos)}.log");
        services.AddLogging(l => l.AddFile(file).AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
            .AddFilter("OrleansCompute", LogLevel.Information));
    }

    /// <summary>
    /// Saves what a silo process wrote (stdout and stderr) into the same folder, <c>process-{name}-{pid}.log</c>, once it is gone,
    /// so a chaos or integration run's silo logs can be read afterwards. Best effort; nothing without the variable.
    /// </summary>
    public static void SaveProcessOutput(string name, int processId, string output)
    {
        if (Environment.GetEnvironmentVariable("OCX_TEST_LOG_DIR") is not { Length: > 0 } logs || output.Length == 0)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(logs);
            File.WriteAllText(Path.Combine(logs, $"process-{name}-{processId}.log"), output);
        }
        catch (IOException)
        {
        }
    }
}
