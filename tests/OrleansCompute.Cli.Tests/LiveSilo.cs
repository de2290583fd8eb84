using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansCompute.Client;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Cli.Tests;

/// <summary>
/// A real silo process (the embedded default: one silo, SQLite state) co-hosting the HTTP API on a free
/// loopback port, with a temporary state folder and data root, and an API key. Shared by the CLI and
/// dashboard tests; killed and its folders deleted at the end.
/// </summary>
public sealed class LiveSilo : IAsyncLifetime, IAsyncDisposable
{
    public const string ApiKey = "cli-tests-0123456789-abcdef";

    private readonly StringBuilder _output = new();
    private readonly string[] _extraArguments;
    private Process? _process;

    public LiveSilo()
        : this([])
    {
    }

    /// <summary>A silo with extra configuration arguments (e.g. <c>--OrleansCompute:Compute:Blob:ConnectionString=…</c>).</summary>
    /// <remarks>Internal: xunit needs a fixture type to have one public constructor.</remarks>
    internal LiveSilo(IEnumerable<string> extraArguments) => _extraArguments = [.. extraArguments];

    /// <summary>Root of the temporary folders.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "ocx-cli-tests-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The silo's data root: job inputs must live under it.</summary>
    public string DataRoot => Path.Combine(Folder, "data");

    public string Url { get; private set; } = "";

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

    public OcxClient CreateClient(string? key = ApiKey) => new(new HttpClient { BaseAddress = new Uri(Url + "/") }, key);

    /// <summary>Writes a file under the data root and returns its absolute path.</summary>
    public string WriteInput(string name, string content)
    {
        var path = Path.Combine(DataRoot, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataRoot);
        Directory.CreateDirectory(Path.Combine(Folder, "state"));
        // The API, and the Orleans silo and gateway ports (Orleans advertises what it is given: real free ports, not 0).
        var ports = LoopbackPorts.Allocate(3);
        Url = $"http://127.0.0.1:{ports[0]}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
        };
        foreach (var argument in (string[])
        [
            HostProcess.SiloDll,
            $"--OrleansCompute:Storage:DataDirectory={Path.Combine(Folder, "state")}",
            $"--OrleansCompute:Compute:DataRoots:0={DataRoot}",
            $"--OrleansCompute:Api:Urls:0={Url}",
            $"--OrleansCompute:Api:ApiKeys:0={ApiKey}",
            "--OrleansCompute:Silo:SiloName=cli-tests",
            "--OrleansCompute:Endpoints:ListenAddress=127.0.0.1",
            "--OrleansCompute:Endpoints:AdvertisedAddress=127.0.0.1",
            $"--OrleansCompute:Endpoints:SiloPort={ports[1]}",
            $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}",
            .. _extraArguments,
        ])
        {
            start.ArgumentList.Add(argument);
        }

        TestProcessEnvironment.Apply(start);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var client = CreateClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if (await client.IsReadyAsync())
                {
                    return;
                }
            }
            catch (OcxConnectionException)
            {
                // not listening yet
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"The silo's API at {Url} was not ready within 90 s:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            TestSiloLogs.SaveProcessOutput("cli-silo", _process.Id, Output);
            _process.Dispose();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    /// <summary>A loopback port nothing listens on (bound then released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LiveSiloCollection : ICollectionFixture<LiveSilo>
{
    public const string Name = "live silo";
}
