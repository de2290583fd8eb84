using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// A real Azurite Blob service (<c>azurite-blob</c>, the Azure Storage emulator from npm) for tests: loopback only, a free
/// port, its own temporary workspace folder (<c>--location</c>), no access log, no telemetry. Disposing kills it and
/// deletes the folder. The account is the emulator's well-known <c>devstoreaccount1</c>.
/// </summary>
/// <remarks>
/// The binary is looked up in <c>{repository}/.cache/azurite/node_modules/.bin</c> (where <c>./test.sh</c> installs the
/// pinned version) and then on the PATH. There is no silent skip: a test that needs Azurite and cannot get it fails with
/// <see cref="AzuriteNotInstalledException"/>.
/// </remarks>
public sealed class AzuriteServer : IAsyncDisposable, IDisposable
{
    /// <summary>The emulator's account name.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known account key (public, the same in every Azurite).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>How long <see cref="StartAsync"/> waits for the service to answer.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private Process? _process;
    private bool _disposed;

    private AzuriteServer(int port, string dataDirectory)
    {
        Port = port;
        DataDirectory = dataDirectory;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The workspace folder (blob data and metadata).</summary>
    public string DataDirectory { get; }

    /// <summary><c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public string BlobEndpoint => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/{AccountName}");

    /// <summary>A connection string for this server (account key authorization).</summary>
    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the process printed (errors only, since it runs with <c>--silent</c>).</summary>
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

    /// <summary>Starts Azurite's Blob service on a free loopback port with a new workspace and waits until it answers HTTP.</summary>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "oc-azurite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var server = new AzuriteServer(GetFreePort(), dataDirectory);
        try
        {
            await server.StartProcessAsync(executable, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the process at once (SIGKILL) and waits for it to be gone.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            return;
        }

        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();
        _process?.Dispose();
        TempFolders.TryDelete(DataDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"azurite-blob {BlobEndpoint} ({DataDirectory})";

    /// <summary>
    /// The <c>azurite-blob</c> executable: under <c>.cache/azurite/node_modules/.bin</c> of the repository (found from the
    /// test assembly's folder upwards), else on the PATH.
    /// </summary>
    public static string FindExecutable()
    {
        var name = OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansCompute.sln")))
            {
                var local = Path.Combine(dir.FullName, ".cache", "azurite", "node_modules", ".bin", name);
                if (File.Exists(local))
                {
                    return local;
                }

                break;
            }
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new AzuriteNotInstalledException();
    }

    private async Task StartProcessAsync(string executable, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDirectory,
        };
        foreach (var argument in new[]
        {
            "--blobHost", "127.0.0.1",
            "--blobPort", Port.ToString(CultureInfo.InvariantCulture),
            "--location", DataDirectory,
            "--silent",
            "--disableTelemetry",
            "--skipApiVersionCheck",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start '{executable}'.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"azurite-blob exited with code {process.ExitCode} while starting on port {Port}. Its output:{Environment.NewLine}{Output}");
            }

            try
            {
                // Any HTTP answer (an unauthenticated request gets 403) means the service is up.
                using var response = await http.GetAsync(new Uri(BlobEndpoint + "?comp=list"), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Kill();
                throw new TimeoutException($"azurite-blob did not answer on port {Port} within {StartTimeout}. Its output:{Environment.NewLine}{Output}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
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

    private static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
