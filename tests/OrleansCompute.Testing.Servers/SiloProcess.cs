using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// A real silo process (the silo host executable, <c>silo/OrleansCompute.Silo</c>, an Orleans silo), killable with SIGKILL.
/// </summary>
/// <remarks>
/// Orleans advertises the ports it is configured with (port 0 would be advertised as 0), so every process gets explicit
/// ports: free ones are allocated here (bind port 0 on the address, read it, release it); if another process takes one
/// before the silo binds it, the start is retried with new ports (up to 3 times).
/// </remarks>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int StartAttempts = 3;
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

        TestProcessEnvironment.Apply(start);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
    }

    public string Name { get; }

    /// <summary><c>http://address:port</c> of the co-hosted HTTP API, when it was turned on.</summary>
    public string? ApiBaseAddress { get; private init; }

    /// <summary>The address the silo advertises to peers and clients.</summary>
    public string AdvertisedAddress { get; private init; } = "127.0.0.1";

    /// <summary>The silo-to-silo port (also the endpoint in its membership row: <c>address:port</c>).</summary>
    public int SiloPort { get; private init; }

    /// <summary>The gateway port clients connect to; 0 when the gateway is off.</summary>
    public int GatewayPort { get; private init; }

    /// <summary><c>address:port</c> of the silo endpoint, as membership rows name it.</summary>
    public string SiloEndpoint => string.Create(CultureInfo.InvariantCulture, $"{AdvertisedAddress}:{SiloPort}");

    /// <summary>A free TCP port on 127.0.0.1 (for a server about to start).</summary>
    public static int FreeLoopbackPort() => FreePort(IPAddress.Loopback);

    /// <summary>A free TCP port on <paramref name="address"/>: bound to port 0, read, released.</summary>
    public static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when the process exits (e.g. a silo that fenced itself).</summary>
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

    /// <summary>The silo host built in this repository (same configuration as the running assembly; build it in Release for the process tests).</summary>
    public static string SiloDll
    {
        get
        {
            var path = RepositoryPaths.Built("silo", "OrleansCompute.Silo", "OrleansCompute.Silo.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first.", path);
        }
    }

    /// <summary>
    /// Starts a silo clustered through Redis (Redis storage too) on free loopback ports, with the HTTP API on a free
    /// loopback port (<see cref="ApiBaseAddress"/>); <paramref name="gatewayPort"/>: 0 allocates one, -1 disables the
    /// gateway. <paramref name="extraArguments"/> (<c>--Key=value</c>) add or override settings (the last value of a key wins).
    /// </summary>
    public static Task<SiloProcess> StartAsync(string name, string redis, string clusterId, int gatewayPort = 0, IEnumerable<string>? extraArguments = null) =>
        StartAsync(new SiloProcessOptions
        {
            Name = name,
            Redis = redis,
            ClusterId = clusterId,
            GatewayPort = gatewayPort,
            ApiPort = 0,
            ExtraArguments = [.. extraArguments ?? []],
        });

    /// <summary>
    /// Starts a silo with Redis clustering and Redis storage from <paramref name="options"/>: a chosen address and ports
    /// (free ones allocated for 0), optionally inside a Linux network namespace (<c>ip netns exec</c>), with extra
    /// configuration arguments. Returns once the silo logged that it is ready.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(SiloProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (var attempt = 1; ; attempt++)
        {
            var silo = Create(options);
            try
            {
                return await silo.LaunchAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException ex) when (attempt < StartAttempts && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // A port was free when allocated, but something bound it before the silo did: allocate again.
            }
        }
    }

    private static SiloProcess Create(SiloProcessOptions options)
    {
        var inNamespace = options.NetworkNamespace is not null;
        var bind = IPAddress.Parse(options.ListenAddress is { Length: > 0 } l && l != "0.0.0.0" ? l : options.AdvertisedAddress);
        var siloPort = options.SiloPort > 0 ? options.SiloPort : inNamespace ? 11111 : FreePort(bind);
        var gatewayPort = options.GatewayPort switch
        {
            < 0 => 0,
            0 => inNamespace ? 30000 : FreePort(bind),
            var port => port,
        };
        var arguments = new List<string>
        {
            "--OrleansCompute:Clustering:Provider=redis",
            $"--OrleansCompute:Clustering:ConnectionString={options.Redis}",
            "--OrleansCompute:Storage:Provider=redis",
            $"--OrleansCompute:Silo:SiloName={options.Name}",
            $"--OrleansCompute:Silo:ClusterId={options.ClusterId}",
            $"--OrleansCompute:Endpoints:AdvertisedAddress={options.AdvertisedAddress}",
            string.Create(CultureInfo.InvariantCulture, $"--OrleansCompute:Endpoints:SiloPort={siloPort}"),
            string.Create(CultureInfo.InvariantCulture, $"--OrleansCompute:Endpoints:GatewayPort={gatewayPort}"),
            // The product's own lines (the "Ready." this class waits for, the isolation watchdog's) whatever "Orleans" is set to:
            // log level rules match category prefixes, and "Orleans" is a prefix of "OrleansCompute".
            "--Logging:LogLevel:OrleansCompute=Information",
        };
        if (options.ListenAddress is not null)
        {
            arguments.Add($"--OrleansCompute:Endpoints:ListenAddress={options.ListenAddress}");
        }

        string? api = null;
        if (options.ApiPort is { } apiPort)
        {
            var port = apiPort > 0 ? apiPort : FreePort(IPAddress.Parse(options.ApiAddress));
            api = string.Create(CultureInfo.InvariantCulture, $"http://{options.ApiAddress}:{port}");
            arguments.Add($"--OrleansCompute:Api:Urls:0={api}");
        }
        else
        {
            arguments.Add("--OrleansCompute:Api:Enabled=false");
        }

        arguments.AddRange(options.ExtraArguments);
        return new SiloProcess(options.Name, arguments, options.NetworkNamespace)
        {
            ApiBaseAddress = api,
            AdvertisedAddress = options.AdvertisedAddress,
            SiloPort = siloPort,
            GatewayPort = gatewayPort,
        };
    }

    private async Task<SiloProcess> LaunchAsync()
    {
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var exited = _process.WaitForExitAsync();
        var finished = await Task.WhenAny(_ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
        if (finished != _ready.Task)
        {
            await DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Silo {Name} did not start:\n{Output}");
        }

        return this;
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

    /// <summary>SIGTERM (what Kubernetes, systemd and <c>docker stop</c> send): the silo drains and exits on its own.</summary>
    public void Terminate()
    {
        Signal(15, "TERM");
    }

    /// <summary>
    /// SIGSTOP: the process is frozen (a stop-the-world GC pause, a starved VM) while its kernel keeps its sockets open and
    /// still acknowledges TCP; <see cref="Resume"/> (SIGCONT) lets it run on.
    /// </summary>
    public void Pause() => Signal(19, "STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(18, "CONT");

    private void Signal(int signal, string name)
    {
        if (!_process.HasExited && SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{name} {_process.Id} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // Not started, or already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            TestSiloLogs.SaveProcessOutput(Name, _process.Id, Output);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }
}
