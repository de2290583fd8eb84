using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>
/// A tiny HTTP/1.1 server on a free loopback port that answers each request with the next scripted response
/// (status, headers, body; the last one repeats) and closes the connection. Records the requests' first lines
/// and headers. For retry tests: a real socket, real HttpClient, no Azurite.
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<(int Status, string? ErrorCode)> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _requests = [];

    public ScriptedHttpServer(params (int Status, string? ErrorCode)[] script)
    {
        _script = [.. script];
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"AccountName=devstoreaccount1;AccountKey={Testing.Servers.AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1");

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var socket = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = socket.GetStream();
            var head = await ReadHeadAsync(stream);
            int index;
            lock (_requests)
            {
                _requests.Add(head);
                index = Math.Min(_requests.Count - 1, _script.Count - 1);
            }

            var length = ContentLength(head);
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, _stop.Token);

            var (status, code) = _script[index];
            var content = code is null ? "" : $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>scripted {code}\nRequestId:1</Message></Error>";
            var response = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} Scripted\r\n")
                .Append("ETag: \"0x1\"\r\n")
                .Append(code is null ? "" : $"x-ms-error-code: {code}\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.UTF8.GetByteCount(content)}\r\n")
                .Append("Connection: close\r\n\r\n")
                .Append(content);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(response.ToString()), _stop.Token);
        }
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                break;
            }

            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^1] == '\n' && bytes[^2] == '\r' && bytes[^3] == '\n' && bytes[^4] == '\r')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. bytes]);
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
