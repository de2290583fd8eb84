using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Benchmarks.Hosting;

/// <summary>
/// A real silo process (the silo executable, <see cref="SiloProcess.SiloDll"/>) clustered through Redis, with Redis grain
/// storage, its own explicit free silo and gateway ports on 127.0.0.1 (Orleans advertises the configured ports, so port 0
/// is not an option) and the HTTP API off. Killable with SIGKILL.
/// </summary>
internal sealed class BenchSiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BenchSiloProcess(string name, int siloPort, int gatewayPort, IEnumerable<string> arguments, string? siloDll = null)
    {
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        // OCX_BENCH_SILO_DLL: another build's silo (e.g. a commit exported with git archive and built there), for before/after runs.
        // siloDll: a build chosen by the caller (batch's A/B rounds run two builds side by side).
        start.ArgumentList.Add(siloDll ?? (Environment.GetEnvironmentVariable("OCX_BENCH_SILO_DLL") is { Length: > 0 } other ? other : SiloProcess.SiloDll));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // As the pre-Orleans harness ran its silo processes (tests/OrleansCompute.Testing.Servers), so before/after compare like with like.
        start.Environment["DOTNET_gcServer"] = "0";
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
    }

    public string Name { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int ProcessId => _process.Id;

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

    /// <summary>ServiceId the silo executable uses unless told otherwise (its appsettings.json).</summary>
    public const string ServiceId = "orleanscompute";

    public static async Task<BenchSiloProcess> StartAsync(string name, string redis, string clusterId, IEnumerable<string>? extraArguments = null, string? siloDll = null)
    {
        var ports = BenchHosts.FreePorts(2);
        var silo = new BenchSiloProcess(name, ports[0], ports[1],
        [
            "--OrleansCompute:Clustering:Provider=redis",
            $"--OrleansCompute:Clustering:ConnectionString={redis}",
            "--OrleansCompute:Storage:Provider=redis",
            $"--OrleansCompute:Silo:SiloName={name}",
            $"--OrleansCompute:Silo:ClusterId={clusterId}",
            "--OrleansCompute:Endpoints:AdvertisedAddress=127.0.0.1",
            string.Create(CultureInfo.InvariantCulture, $"--OrleansCompute:Endpoints:SiloPort={ports[0]}"),
            string.Create(CultureInfo.InvariantCulture, $"--OrleansCompute:Endpoints:GatewayPort={ports[1]}"),
            "--OrleansCompute:Api:Enabled=false",
            // The silo's appsettings.json sets "Orleans": "Warning", and logging filters match category prefixes, so it also
            // hides OrleansCompute.* information lines, among them the "Ready." line waited for here.
            "--Logging:LogLevel:OrleansCompute=Information",
            .. extraArguments ?? [],
        ], siloDll);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        var finished = await Task.WhenAny(silo._ready.Task, silo._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (finished != silo._ready.Task)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"Silo {name} did not start:\n{silo.Output}");
        }

        return silo;
    }

    /// <summary>A cluster client (Redis gateway list) for the silos of <paramref name="clusterId"/>; dispose the host to disconnect.</summary>
    public static async Task<IHost> ConnectClientAsync(string redis, string clusterId, TimeSpan responseTimeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
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
