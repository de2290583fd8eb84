using System.Diagnostics;
using System.Net;
using System.Text;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// A host built in this repository (the silo, or the standalone API host) run with <c>dotnet</c> on the settings a test
/// gives (free loopback ports from <see cref="LoopbackPorts"/>), its output captured; SIGTERM on request
/// (<see cref="TerminateAsync"/>), SIGKILL of the whole tree when disposed. For embedded or localhost-clustered silos and
/// API hosts; <see cref="SiloProcess"/> starts Redis-clustered silos.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>The silo host built in this repository (same configuration as the running tests).</summary>
    public static string SiloDll => Built("silo", "OrleansCompute.Silo", "OrleansCompute.Silo.dll");

    /// <summary>The standalone API host built in this repository (same configuration as the running tests).</summary>
    public static string ApiHostDll => Built("client", "OrleansCompute.ApiHost", "OrleansCompute.ApiHost.dll");

    public string Name { get; }

    public bool HasExited => _process.HasExited;

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

    public static HostProcess Start(string name, string dll, string workingDirectory, params string[] arguments) =>
        Start(name, dll, workingDirectory, null, arguments);

    /// <summary>Starts <paramref name="dll"/> with extra environment variables (e.g. <c>ASPNETCORE_URLS</c>) besides the arguments.</summary>
    public static HostProcess Start(string name, string dll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("Build the solution first.", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        TestProcessEnvironment.Apply(start);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        var executable = new HostProcess(name, new Process { StartInfo = start });
        executable._process.OutputDataReceived += (_, e) => executable.Append(e.Data);
        executable._process.ErrorDataReceived += (_, e) => executable.Append(e.Data);
        executable._process.Start();
        executable._process.BeginOutputReadLine();
        executable._process.BeginErrorReadLine();
        return executable;
    }

    /// <summary>Polls <c>/health/ready</c> until 200 and returns its body; fails with the output when the process (or <paramref name="alsoWatch"/>) exits or time runs out.</summary>
    public async Task<string> WaitForReadyAsync(HttpClient http, TimeSpan timeout, HostProcess? alsoWatch = null)
    {
        var body = "";
        HttpStatusCode? status = null;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (HasExited || (alsoWatch?.HasExited ?? false))
            {
                throw new InvalidOperationException($"{(HasExited ? Name : alsoWatch!.Name)} exited before {Name} was ready:\n{Output}\n{alsoWatch?.Output}");
            }

            try
            {
                using var response = await http.GetAsync("/health/ready");
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
                if (status == HttpStatusCode.OK)
                {
                    return body;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // a slow answer on a busy machine: ask again
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s (last {status}: {body})\n{Output}\n{alsoWatch?.Output}");
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (what Docker and systemd send) and returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    /// <summary>kill -9 of the process tree, then waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    private static string Built(string folder, string project, string dll) => RepositoryPaths.Built(folder, project, dll);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
