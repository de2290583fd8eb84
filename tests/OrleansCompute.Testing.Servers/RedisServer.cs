using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// A real <c>redis-server</c> process for tests: loopback only, a free port, its own temporary data folder and
/// append-only persistence (<c>--appendonly yes --appendfsync always</c>, so every acknowledged write survives a kill -9).
/// It can be stopped gracefully, killed, and restarted on the same port and data folder; disposing kills it and
/// deletes the folder.
/// </summary>
/// <remarks>
/// <c>redis-server</c> must be on the PATH; <c>./test.sh</c> installs it (apt) when missing. There is deliberately no
/// silent skip: a test that needs Redis and cannot get it fails with <see cref="RedisServerNotInstalledException"/>.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable, IDisposable
{
    /// <summary>How long <see cref="StartAsync(CancellationToken)"/> and <see cref="RestartAsync"/> wait for PING to be answered.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _executable;
    private readonly RedisServerOptions _options;
    private Process? _process;
    private bool _disposed;

    private RedisServer(string executable, int port, string dataDirectory, RedisServerOptions options)
    {
        _executable = executable;
        Port = port;
        DataDirectory = dataDirectory;
        _options = options;
    }

    /// <summary>The TCP port (kept across restarts).</summary>
    public int Port { get; }

    /// <summary>The address the server binds (<c>127.0.0.1</c> unless <see cref="RedisServerOptions.BindAddress"/> says otherwise).</summary>
    public string BindAddress => _options.BindAddress;

    /// <summary>
    /// <c>address:port</c>: a StackExchange.Redis connection string (with <c>password=…</c> and <c>ssl=true</c> when the
    /// server requires them).
    /// </summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"{BindAddress}:{Port}{(_options.Password is { } password ? ",password=" + password : "")}{(_options.TlsCertificate is null ? "" : ",ssl=true")}");

    /// <summary>The process id while running (e.g. to <c>kill -9</c> it from outside).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The server's working folder (AOF files and its log <c>redis.log</c>), kept across restarts.</summary>
    public string DataDirectory { get; }

    /// <summary>Whether the process is running (it may still be starting).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free loopback port with a new data folder and waits until it answers PING.</summary>
    public static Task<RedisServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new RedisServerOptions(), cancellationToken);

    /// <summary>
    /// Starts a server as <paramref name="options"/> say (bind address, port, network namespace, fsync policy) with a new
    /// data folder and waits until it answers PING (from this process, so the bind address must be reachable from here).
    /// </summary>
    public static async Task<RedisServer> StartAsync(RedisServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var executable = FindExecutable();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "oc-redis-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var port = options.Port > 0 ? options.Port : GetFreePort();
        var server = new RedisServer(executable, port, dataDirectory, options);
        try
        {
            await server.RestartAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the server again (if it is not running) on the same port and data folder, and waits until it answers PING.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            return;
        }

        _process?.Dispose();
        var startInfo = new ProcessStartInfo(_options.NetworkNamespace is null ? _executable : "ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDirectory,
        };
        if (_options.NetworkNamespace is not null)
        {
            // `ip netns exec` execs redis-server in the namespace (no fork): the process id is the server's own.
            foreach (var argument in new[] { "netns", "exec", _options.NetworkNamespace, _executable })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        var security = new List<string>();
        if (_options.Password is { } requirePass)
        {
            security.AddRange(["--requirepass", requirePass]);
        }

        if (_options.TlsCertificate is { } tls)
        {
            security.AddRange(["--tls-port", Port.ToString(CultureInfo.InvariantCulture), "--tls-cert-file", tls.CertificatePath,
                "--tls-key-file", tls.KeyPath, "--tls-auth-clients", "no"]);
            if (_options.TlsCaPath is { } ca)
            {
                security.AddRange(["--tls-ca-cert-file", ca]);
            }
        }

        foreach (var argument in new[]
        {
            "--port", _options.TlsCertificate is null ? Port.ToString(CultureInfo.InvariantCulture) : "0",
            "--bind", BindAddress,
            "--dir", DataDirectory,
            "--logfile", Path.Combine(DataDirectory, "redis.log"),
            "--appendonly", "yes",
            "--appendfsync", _options.AppendFsync,
            "--save", "",
            "--daemonize", "no",
            // Protected mode refuses non-loopback clients without a password; a non-loopback bind address is only
            // used inside a private network a test made (NetworkLab), so it is turned off there.
            "--protected-mode", IPAddress.IsLoopback(IPAddress.Parse(BindAddress)) ? "yes" : "no",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var argument in security)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start '{_executable}'.");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilReadyAsync(process, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server gracefully (<c>SHUTDOWN</c>: the AOF is flushed) and waits for the process to exit.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            return;
        }

        try
        {
            await SendCommandAsync("SHUTDOWN", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // The server closes the connection as it exits; that is the expected answer.
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await _process!.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
        }
    }

    /// <summary>Kills the process at once (SIGKILL, like <c>kill -9</c>) and waits for it to be gone.</summary>
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

    /// <summary>
    /// Freezes the process (SIGSTOP): it keeps its port open but answers nothing, like a hung or overloaded server.
    /// <see cref="Resume"/> continues it. Unix only.
    /// </summary>
    public void Pause() => Signal("-STOP");

    /// <summary>Continues a process frozen by <see cref="Pause"/> (SIGCONT).</summary>
    public void Resume() => Signal("-CONT");

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

    public override string ToString() => $"redis-server {ConnectionString} ({DataDirectory})";

    private void Signal(string signal)
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            throw new InvalidOperationException("redis-server is not running.");
        }

        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("Could not run 'kill'.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"'kill {signal} {process.Id}' failed with exit code {kill.ExitCode}.");
        }
    }

    private static string FindExecutable()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, OperatingSystem.IsWindows() ? "redis-server.exe" : "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new RedisServerNotInstalledException();
    }

    private static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server exited with code {process.ExitCode} while starting on port {Port}. Its log:{Environment.NewLine}{ReadLogTail()}");
            }

            try
            {
                if ((await SendCommandAsync("PING", cancellationToken).ConfigureAwait(false)).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                // Not listening yet (or still loading the AOF): try again.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Kill();
                throw new TimeoutException($"redis-server did not answer PING on port {Port} within {StartTimeout}. Its log:{Environment.NewLine}{ReadLogTail()}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> SendCommandAsync(string command, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Parse(BindAddress), Port, timeout.Token).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (_options.TlsCertificate is not null)
            {
                // The probe pins the certificate it gave the server; the clients under test check it against the CA.
                var pinned = _options.TlsCertificate.Sha256;
                var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, _) =>
                    certificate is not null && Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.GetRawCertData())) == pinned);
                await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions { TargetHost = "redis" }, timeout.Token)
                    .ConfigureAwait(false);
                stream = tls;
            }

            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[256];
                if (_options.Password is { } password)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\n"), timeout.Token).ConfigureAwait(false);
                    _ = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), timeout.Token).ConfigureAwait(false);
                var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                return Encoding.ASCII.GetString(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"redis-server on port {Port} did not answer {command} in time.");
        }
        catch (System.Security.Authentication.AuthenticationException ex)
        {
            throw new IOException($"redis-server on port {Port}: TLS handshake failed ({ex.Message}).", ex);
        }
    }

    private string ReadLogTail()
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(DataDirectory, "redis.log"));
            return string.Join(Environment.NewLine, lines[Math.Max(0, lines.Length - 20)..]);
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
