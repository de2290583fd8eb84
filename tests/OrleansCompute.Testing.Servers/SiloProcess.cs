using System.Diagnostics;
using System.Text;

namespace OrleansCompute.Testing.Servers;

/// <summary>A real silo process (the silo host executable), killable with SIGKILL.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(string name, IEnumerable<string> arguments)
    {
        Name = name;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(SiloDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The silo host built in this repository (same configuration as the running assembly).</summary>
    public static string SiloDll
    {
        get
        {
            var here = AppContext.BaseDirectory;
            var configuration = here.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var dir = new DirectoryInfo(here);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansCompute.sln")))
            {
                dir = dir.Parent;
            }

            var path = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"),
                "silo", "OrleansCompute.Silo", "bin", configuration, "net10.0", "OrleansCompute.Silo.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first.", path);
        }
    }

    /// <summary>Starts a silo clustered through Redis; <paramref name="extraArguments"/> (<c>--Key=value</c>) add or override settings (the last value of a key wins).</summary>
    public static async Task<SiloProcess> StartAsync(string name, string redis, string clusterId, string secret, int gatewayPort = 0, IEnumerable<string>? extraArguments = null)
    {
        var silo = new SiloProcess(name,
        [
            "--OrleansCompute:Clustering:Provider=redis",
            $"--OrleansCompute:Clustering:ConnectionString={redis}",
            "--OrleansCompute:Storage:Provider=redis",
            $"--OrleansCompute:Silo:SiloName={name}",
            $"--OrleansCompute:Silo:ClusterId={clusterId}",
            $"--OrleansCompute:Silo:ClusterSecret={secret}",
            "--OrleansCompute:Endpoints:AdvertisedAddress=127.0.0.1",
            "--OrleansCompute:Endpoints:SiloPort=0",
            $"--OrleansCompute:Endpoints:GatewayPort={gatewayPort}",
            "--OrleansCompute:Api:Urls:0=http://127.0.0.1:0", // several silos on one machine: each API on a free port
            .. extraArguments ?? [],
        ]);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        var exited = silo._process.WaitForExitAsync();
        var finished = await Task.WhenAny(silo._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (finished != silo._ready.Task)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"Silo {name} did not start:\n{silo.Output}");
        }

        return silo;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("Ready.", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
