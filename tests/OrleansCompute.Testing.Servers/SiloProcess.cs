using System.Diagnostics;
using System.Text;

namespace OrleansCompute.Testing.Servers;

/// <summary>A real silo process (the silo host executable), killable with SIGKILL.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(string name, IEnumerable<string> arguments, string? networkNamespace = null)
    {
        Name = name;
        var start = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (networkNamespace is not null)
        {
            // `ip netns exec` switches namespace and execs dotnet (no fork): the process id is the silo's own.
            foreach (var argument in new[] { "netns", "exec", networkNamespace, "dotnet" })
            {
                start.ArgumentList.Add(argument);
            }
        }

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

    /// <summary><c>http://address:port</c> of the co-hosted HTTP API, when it was turned on.</summary>
    public string? ApiBaseAddress { get; private init; }

    /// <summary>A free TCP port on 127.0.0.1 (for the API of a silo about to start).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when the process exits (e.g. a silo that fenced itself stops its host).</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

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
            .. extraArguments ?? [],
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
        return await silo.LaunchAsync();
    }

    /// <summary>
    /// Starts a silo with Redis clustering from <paramref name="options"/>: a chosen address and ports, optionally inside
    /// a Linux network namespace (<c>ip netns exec</c>), with extra configuration arguments.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(SiloProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var arguments = new List<string>
        {
            "--OrleansCompute:Clustering:Provider=redis",
            $"--OrleansCompute:Clustering:ConnectionString={options.Redis}",
            "--OrleansCompute:Storage:Provider=redis",
            $"--OrleansCompute:Silo:SiloName={options.Name}",
            $"--OrleansCompute:Silo:ClusterId={options.ClusterId}",
            $"--OrleansCompute:Silo:ClusterSecret={options.Secret}",
            $"--OrleansCompute:Endpoints:AdvertisedAddress={options.AdvertisedAddress}",
            $"--OrleansCompute:Endpoints:SiloPort={options.SiloPort}",
            $"--OrleansCompute:Endpoints:GatewayPort={options.GatewayPort}",
        };
        if (options.ListenAddress is not null)
        {
            arguments.Add($"--OrleansCompute:Endpoints:ListenAddress={options.ListenAddress}");
        }

        string? api = null;
        if (options.ApiPort is { } apiPort)
        {
            api = $"http://{options.ApiAddress}:{apiPort}";
            arguments.Add($"--OrleansCompute:Api:Urls:0={api}");
        }
        else
        {
            arguments.Add("--OrleansCompute:Api:Enabled=false");
        }

        arguments.AddRange(options.ExtraArguments);
        var silo = new SiloProcess(options.Name, arguments, options.NetworkNamespace) { ApiBaseAddress = api };
        return await silo.LaunchAsync();
    }

    private async Task<SiloProcess> LaunchAsync()
    {
        var silo = this;
        var name = Name;
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
