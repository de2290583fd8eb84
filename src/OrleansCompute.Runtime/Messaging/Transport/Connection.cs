using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OrleansCompute.Messaging.Transport;

/// <summary>
/// One authenticated TCP connection. Reads length-prefixed frames with a <see cref="PipeReader"/> and
/// hands each to the handler; writes from a single writer loop that drains a queue and coalesces every
/// queued frame into the pipe before one flush, so many small messages share a syscall.
/// </summary>
internal sealed partial class Connection : IAsyncDisposable
{
    private const int FlushThreshold = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<OutboundMessage> _queue = Channel.CreateUnbounded<OutboundMessage>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly int _maxMessageSize;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private IConnectionHandler? _handler;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private int _closed;

    private Connection(Socket socket, int maxMessageSize, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _maxMessageSize = maxMessageSize;
        _logger = logger;
    }

    /// <summary>Who is on the other end (from its handshake hello).</summary>
    public Handshake.PeerHello Peer { get; private set; } = null!;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Arbitrary state for the owner (e.g. the peer's silo address).</summary>
    public object? Tag { get; set; }

    /// <summary>Connects to <paramref name="endpoint"/>, authenticates, and starts the loops.</summary>
    public static async Task<Connection> ConnectAsync(System.Net.IPEndPoint endpoint, ConnectionSettings settings, IConnectionHandler handler,
        ILogger logger, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.ConnectTimeout);
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            var connection = new Connection(socket, settings.MaxMessageSize, logger);
            await connection.HandshakeAndStartAsync(settings, handler, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Authenticates an accepted socket and starts the loops.</summary>
    public static async Task<Connection> AcceptAsync(Socket socket, ConnectionSettings settings, IConnectionHandler handler, ILogger logger,
        CancellationToken cancellationToken)
    {
        var connection = new Connection(socket, settings.MaxMessageSize, logger);
        try
        {
            await connection.HandshakeAndStartAsync(settings, handler, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task HandshakeAndStartAsync(ConnectionSettings settings, IConnectionHandler handler, CancellationToken cancellationToken)
    {
        Peer = await Handshake.RunAsync(_input, _output, settings.Kind, settings.ClusterId, settings.Identity, settings.Secret,
            settings.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        _handler = handler;
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
        _writeLoop = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>Queues a message; false when the connection is closed (the caller fails the message).</summary>
    public bool TrySend(OutboundMessage message) => _queue.Writer.TryWrite(message);

    private async Task ReadLoopAsync()
    {
        Exception? error = null;
        byte[]? scratch = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (FrameFormat.TryReadFrame(ref buffer, _maxMessageSize, out var frame))
                {
                    if (frame.IsSingleSegment)
                    {
                        _handler!.OnFrame(this, frame.FirstSpan);
                    }
                    else
                    {
                        var length = (int)frame.Length;
                        if (scratch is null || scratch.Length < length)
                        {
                            if (scratch is not null)
                            {
                                ArrayPool<byte>.Shared.Return(scratch);
                            }

                            scratch = ArrayPool<byte>.Shared.Rent(length);
                        }

                        frame.CopyTo(scratch);
                        _handler!.OnFrame(this, scratch.AsSpan(0, length));
                    }
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        Close(error ?? new IOException("The peer closed the connection."));
    }

    private async Task WriteLoopAsync()
    {
        var body = new ArrayBufferWriter<byte>(4096);
        var reader = _queue.Reader;
        Exception? error = null;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                var pending = 0;
                while (pending < FlushThreshold && reader.TryRead(out var message))
                {
                    body.ResetWrittenCount();
                    try
                    {
                        message.WriteBody(body);
                    }
                    catch (Exception ex)
                    {
                        message.OnSendFailed(ex);
                        continue;
                    }

                    if (body.WrittenCount > _maxMessageSize)
                    {
                        message.OnSendFailed(new MessageTooLargeException(
                            $"The message is {body.WrittenCount:N0} bytes; the limit (OrleansCompute:Messaging:MaxMessageSize) is {_maxMessageSize:N0}."));
                        continue;
                    }

                    FrameFormat.WriteFrame(_output, body.WrittenSpan);
                    pending += body.WrittenCount + FrameFormat.HeaderSize;
                }

                if (pending > 0)
                {
                    var flush = await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
                    if (flush.IsCompleted)
                    {
                        break;
                    }
                }

                if (body.Capacity > 1024 * 1024)
                {
                    body = new ArrayBufferWriter<byte>(4096);
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = ex;
        }

        Close(error);
    }

    /// <summary>Closes the connection; queued messages fail with <paramref name="reason"/>.</summary>
    public void Close(Exception? reason, bool abortive = false)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _closing.Cancel();
        try
        {
            if (abortive)
            {
                _socket.LingerState = new LingerOption(true, 0);
            }

            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Dispose();
        var failure = reason ?? new IOException("The connection was closed.");
        while (_queue.Reader.TryRead(out var message))
        {
            message.OnSendFailed(failure);
        }

        if (reason is not null and not IOException)
        {
            LogClosedWithError(_logger, reason, Peer?.Identity ?? "(handshaking)");
        }

        _handler?.OnClosed(this, reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(null);
        try
        {
            await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Loops end with the socket.
        }

        _closing.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"[Connection to {Peer?.Identity ?? "?"}]";

    [LoggerMessage(1, LogLevel.Debug, "Connection to {Peer} closed with an error")]
    private static partial void LogClosedWithError(ILogger logger, Exception exception, string peer);
}
