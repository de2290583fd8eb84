using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OrleansCompute.Messaging.Transport;

/// <summary>Accepts connections on one endpoint, authenticates them and hands them to a handler.</summary>
internal sealed partial class ConnectionListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<PeerKind, ConnectionSettings> _settings;
    private readonly IConnectionHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Connection> _connections = [];
    private Task _acceptLoop = Task.CompletedTask;

    public ConnectionListener(IPEndPoint endpoint, Func<PeerKind, ConnectionSettings> settings, IConnectionHandler handler, ILogger logger)
    {
        _settings = settings;
        _handler = handler;
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(512);
        Endpoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <summary>The bound endpoint (with the real port when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The role this listener expects of peers.</summary>
    public required PeerKind ExpectedPeer { get; init; }

    public void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            _ = AuthenticateAsync(accepted);
        }
    }

    private async Task AuthenticateAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            var connection = await Connection.AcceptAsync(socket, _settings(ExpectedPeer), _handler, _logger, _stopping.Token).ConfigureAwait(false);
            if (connection.Peer.Kind != ExpectedPeer)
            {
                LogRefused(_logger, remote, $"a {connection.Peer.Kind} connected to the {ExpectedPeer} port");
                await connection.DisposeAsync().ConfigureAwait(false);
                return;
            }

            lock (_connections)
            {
                if (_stopping.IsCancellationRequested)
                {
                    connection.Close(null);
                    return;
                }

                _connections.Add(connection);
            }
        }
        catch (HandshakeException ex)
        {
            LogRefused(_logger, remote, ex.Reason);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogHandshakeAborted(_logger, remote, ex.Message);
        }
    }

    /// <summary>Connections accepted so far that are still open.</summary>
    public List<Connection> OpenConnections()
    {
        lock (_connections)
        {
            _connections.RemoveWhere(c => c.IsClosed);
            return [.. _connections];
        }
    }

    /// <summary>Stops accepting and closes accepted connections (abortively when <paramref name="abortive"/>).</summary>
    public async Task StopAsync(bool abortive)
    {
        _stopping.Cancel();
        _socket.Dispose();
        List<Connection> open;
        lock (_connections)
        {
            open = [.. _connections];
            _connections.Clear();
        }

        foreach (var connection in open)
        {
            connection.Close(null, abortive);
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(abortive: false).ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(1, LogLevel.Warning, "Refused a connection from {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Handshake with {Remote} aborted: {Reason}")]
    private static partial void LogHandshakeAborted(ILogger logger, string remote, string reason);
}
