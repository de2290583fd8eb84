using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using OrleansCompute.Invocation;
using OrleansCompute.Messaging.Transport;
using OrleansCompute.Runtime;
using OrleansCompute.Serialization;

namespace OrleansCompute.Cluster;

/// <summary>
/// A silo's network side: listens for silos and clients, keeps one outbound connection per peer silo
/// (reconnecting with backoff), correlates requests with responses, answers probes, and hands
/// inbound requests to the dispatcher. Calls to a silo declared dead fail at once with
/// <see cref="SiloUnavailableException"/>, in-flight ones included.
/// </summary>
internal sealed partial class SiloMessageCenter(
    SiloAddress me,
    ConnectionSettings siloSettings,
    TimeProvider time,
    ILogger logger) : IConnectionHandler, IAsyncDisposable
{
    private ConnectionSettings _siloSettings = siloSettings;
    private readonly ConcurrentDictionary<SiloAddress, Lazy<Task<Connection>>> _outbound = new();
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<bool>> _pings = new();
    private readonly ConcurrentDictionary<SiloAddress, DateTimeOffset> _backoffUntil = new();
    private readonly ConcurrentDictionary<(Connection, long), CancellationTokenSource> _inboundCancellations = new();
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionListener? _siloListener;
    private ConnectionListener? _gatewayListener;
    private long _nextCorrelation;
    private volatile bool _stopped;

    public SiloAddress Me { get; private set; } = me;

    /// <summary>What this silo presents to peers (changes when it rejoins under a new generation).</summary>
    public ConnectionSettings SiloSettings => _siloSettings;

    /// <summary>Becomes a new member: a new identity for handshakes; connections are re-opened under it.</summary>
    public void ChangeIdentity(SiloAddress newMe)
    {
        Me = newMe;
        _siloSettings = _siloSettings with { Identity = newMe.ToParsableString() };
        foreach (var pair in _outbound)
        {
            if (_outbound.TryRemove(pair) && pair.Value.IsValueCreated && pair.Value.Value.IsCompletedSuccessfully)
            {
                pair.Value.Value.Result.Close(null);
            }
        }
    }

    /// <summary>Handles requests arriving from silos and clients: (target, request, hops).</summary>
    public Action<GrainId, GrainRequest, int>? Deliver { get; set; }

    /// <summary>Whether this silo hosts an activation of a grain (answers peers' locate requests).</summary>
    public Func<GrainId, bool>? HasLocalActivation { get; set; }

    /// <summary>What clients learn about grain types when they connect.</summary>
    public Func<GrainManifest>? Manifest { get; set; }

    public IPEndPoint? GatewayEndpoint => _gatewayListener?.Endpoint;

    public void Start(IPEndPoint siloEndpoint, IPEndPoint? gatewayEndpoint, ConnectionListener? prebound = null)
    {
        _siloListener = prebound ?? new ConnectionListener(siloEndpoint, _ => _siloSettings, this, logger) { ExpectedPeer = PeerKind.Silo };
        _siloListener.Start();
        if (gatewayEndpoint is not null)
        {
            _gatewayListener = new ConnectionListener(gatewayEndpoint, _ => _siloSettings, this, logger) { ExpectedPeer = PeerKind.Client };
            _gatewayListener.Start();
        }
    }

    /// <summary>Sends a request to another silo; its response completes <paramref name="request"/>.</summary>
    public void SendRequest(SiloAddress target, GrainId grainId, GrainRequest request, int hops, TimeSpan timeout)
    {
        if (_stopped)
        {
            request.TrySetException(new SiloUnavailableException($"Silo {Me} is stopping; {request} to {grainId} was not sent."));
            return;
        }

        var correlation = Interlocked.Increment(ref _nextCorrelation);
        var oneWay = (request.Options & InvokeMethodOptions.OneWay) != 0;
        if (!oneWay)
        {
            _pending[correlation] = new PendingCall(request, target, time.GetTimestamp(), timeout, default);
        }

        var timeoutMs = timeout == Timeout.InfiniteTimeSpan ? 0u : (uint)Math.Min(uint.MaxValue, Math.Max(1, timeout.TotalMilliseconds));
        var message = new RequestMessage(correlation, grainId, request, hops, timeoutMs, ex => FailPending(correlation, request, target, ex));
        var connection = GetConnection(target);
        if (!oneWay && request.CancellationToken.CanBeCanceled && _pending.TryGetValue(correlation, out var pendingCall))
        {
            // The caller's await is the request's one continuation: keep the registration with the pending call.
            _pending.TryUpdate(correlation, pendingCall with { Cancellation = ForwardCancellation(request, connection, correlation) }, pendingCall);
        }
        if (connection.IsCompletedSuccessfully && connection.Result.TrySend(message))
        {
            return;
        }

        _ = SendWhenConnectedAsync(connection, message, correlation, request, target);
    }

    private static CancellationTokenRegistration ForwardCancellation(GrainRequest request, Task<Connection> connection, long correlation) =>
        request.CancellationToken.UnsafeRegister(static state =>
        {
            var (connecting, id) = ((Task<Connection>, long))state!;
            if (connecting.IsCompletedSuccessfully)
            {
                connecting.Result.TrySend(new ControlMessage(MessageKind.Cancel, id));
            }
        }, (connection, correlation));

    private async Task SendWhenConnectedAsync(Task<Connection> connecting, RequestMessage message, long correlation, GrainRequest request, SiloAddress target)
    {
        try
        {
            var connection = await connecting.ConfigureAwait(false);
            if (!connection.TrySend(message))
            {
                // Closed between lookup and send: drop it and try one fresh connection.
                Forget(target, connection);
                connection = await GetConnection(target).ConfigureAwait(false);
                if (!connection.TrySend(message))
                {
                    throw new IOException("The connection closed.");
                }
            }
        }
        catch (Exception ex)
        {
            FailPending(correlation, request, target, ex);
        }
    }

    private void FailPending(long correlation, GrainRequest request, SiloAddress target, Exception cause)
    {
        if (_pending.TryRemove(correlation, out var removed))
        {
            removed.Cancellation.Dispose();
        }

        request.TrySetException(cause is MessageTooLargeException or SerializerException or CodecNotFoundException
            ? cause
            : new SiloUnavailableException($"Could not deliver {request} to silo {target}: {cause.Message}", cause));
    }

    /// <summary>Probes a silo over its connection; false when no pong arrives in time.</summary>
    public Task<bool> PingAsync(SiloAddress target, TimeSpan timeout) =>
        ControlRoundTripAsync(target, correlation => new ControlMessage(MessageKind.Ping, correlation), timeout);

    /// <summary>Asks <paramref name="target"/> whether it hosts <paramref name="grainId"/>; false on no answer.</summary>
    public Task<bool> HostsActivationAsync(SiloAddress target, GrainId grainId, TimeSpan timeout) =>
        ControlRoundTripAsync(target, correlation => new LocateMessage(correlation, grainId), timeout);

    /// <summary>Sends a control message and waits for its boolean answer (pong, locate reply); false on no answer in time.</summary>
    private async Task<bool> ControlRoundTripAsync(SiloAddress target, Func<long, OutboundMessage> message, TimeSpan timeout)
    {
        var correlation = Interlocked.Increment(ref _nextCorrelation);
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[correlation] = answer;
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            var connection = await GetConnection(target).WaitAsync(cts.Token).ConfigureAwait(false);
            if (!connection.TrySend(message(correlation)))
            {
                Forget(target, connection);
                return false;
            }

            return await answer.Task.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or HandshakeException
                                   or TimeoutException or SiloUnavailableException)
        {
            return false;
        }
        finally
        {
            _pings.TryRemove(correlation, out _);
        }
    }

    /// <summary>Fails every call waiting on <paramref name="silo"/> and drops its connection.</summary>
    public void OnSiloDead(SiloAddress silo)
    {
        foreach (var pair in _pending)
        {
            if (pair.Value.Target == silo && _pending.TryRemove(pair.Key, out var call))
            {
                call.Cancellation.Dispose();
                call.Request.TrySetException(new SiloUnavailableException(
                    $"Silo {silo} was declared dead while {call.Request} was waiting for its response. The call may or may not have run."));
            }
        }

        if (_outbound.TryRemove(silo, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
        {
            lazy.Value.Result.Close(null);
        }
    }

    /// <summary>Fails calls whose response timeout passed (called periodically).</summary>
    public void SweepTimeouts()
    {
        var now = time.GetTimestamp();
        foreach (var pair in _pending)
        {
            var call = pair.Value;
            if (call.Timeout != Timeout.InfiniteTimeSpan && time.GetElapsedTime(call.Started, now) > call.Timeout
                && _pending.TryRemove(pair.Key, out _))
            {
                call.Cancellation.Dispose();
                call.Request.TrySetException(new TimeoutException(
                    $"Response did not arrive on time in {call.Timeout} for {call.Request} sent to silo {call.Target}. It is not retried."));
            }
        }
    }

    public int PendingCount => _pending.Count;

    private Task<Connection> GetConnection(SiloAddress target)
    {
        while (true)
        {
            var lazy = _outbound.GetOrAdd(target, t => new Lazy<Task<Connection>>(() => ConnectAsync(t)));
            var task = lazy.Value;
            if (task.IsFaulted || (task.IsCompletedSuccessfully && task.Result.IsClosed))
            {
                // Replace a failed or closed connection (backoff is applied inside ConnectAsync).
                _outbound.TryRemove(KeyValuePair.Create(target, lazy));
                continue;
            }

            return task;
        }
    }

    private async Task<Connection> ConnectAsync(SiloAddress target)
    {
        if (_backoffUntil.TryGetValue(target, out var until) && until > time.GetUtcNow())
        {
            await Task.Delay(until - time.GetUtcNow(), time, _stopping.Token).ConfigureAwait(false);
        }

        try
        {
            var connection = await Connection.ConnectAsync(target.Endpoint, _siloSettings, this, logger, _stopping.Token).ConfigureAwait(false);
            connection.Tag = target;
            if (connection.Peer.Identity != target.ToParsableString())
            {
                // Another incarnation answers on that endpoint: the silo we wanted is gone.
                connection.Close(null);
                throw new SiloUnavailableException($"Silo {target} is gone; {connection.Peer.Identity} now listens on its endpoint.");
            }

            _backoffUntil.TryRemove(target, out _);
            return connection;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var previous = _backoffUntil.TryGetValue(target, out var p) ? p : time.GetUtcNow();
            var delay = TimeSpan.FromMilliseconds(Math.Min(2000, Math.Max(50, (time.GetUtcNow() - previous).TotalMilliseconds * 2)));
            _backoffUntil[target] = time.GetUtcNow() + delay;
            LogConnectFailed(logger, target.ToString(), ex.Message);
            throw;
        }
    }

    private void Forget(SiloAddress target, Connection connection)
    {
        if (_outbound.TryGetValue(target, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully
            && ReferenceEquals(lazy.Value.Result, connection))
        {
            _outbound.TryRemove(KeyValuePair.Create(target, lazy));
        }
    }

    public void OnFrame(Connection connection, ReadOnlySpan<byte> body)
    {
        var reader = new Reader(body);
        var kind = (MessageKind)reader.ReadVarUInt32();
        var correlation = (long)reader.ReadVarUInt64();
        switch (kind)
        {
            case MessageKind.Request:
                OnRequest(connection, correlation, ref reader);
                break;
            case MessageKind.Response:
                if (_pending.TryRemove(correlation, out var call))
                {
                    call.Cancellation.Dispose();
                    try
                    {
                        call.Request.CompleteFromResponse(ref reader);
                    }
                    catch (Exception ex)
                    {
                        call.Request.TrySetException(new SerializerException($"The response to {call.Request} could not be read: {ex.Message}", ex));
                    }
                }

                break;
            case MessageKind.Ping:
                connection.TrySend(new ControlMessage(MessageKind.Pong, correlation));
                break;
            case MessageKind.Pong:
                if (_pings.TryGetValue(correlation, out var pong))
                {
                    pong.TrySetResult(true);
                }

                break;
            case MessageKind.LocateRequest:
                var grain = new GrainId(reader.ReadStringPayload(), reader.ReadStringPayload());
                connection.TrySend(new LocateReply(correlation, HasLocalActivation?.Invoke(grain) ?? false));
                break;
            case MessageKind.LocateResponse:
                if (_pings.TryGetValue(correlation, out var located))
                {
                    located.TrySetResult(reader.ReadVarUInt32() == 1);
                }

                break;
            case MessageKind.Cancel:
                if (_inboundCancellations.TryGetValue((connection, correlation), out var cts))
                {
                    try
                    {
                        cts.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The call finished meanwhile.
                    }
                }

                break;
            case MessageKind.ManifestRequest:
                connection.TrySend(new ValueMessage<GrainManifest>(MessageKind.ManifestResponse, correlation, Manifest?.Invoke() ?? new GrainManifest()));
                break;
            default:
                LogUnknownMessage(logger, (uint)kind, connection.Peer.Identity);
                break;
        }
    }

    private void OnRequest(Connection connection, long correlation, ref Reader reader)
    {
        var hops = (int)reader.ReadVarUInt32();
        var flags = (RequestFlags)reader.ReadVarUInt32();
        reader.ReadVarUInt32(); // the caller's timeout: advisory; this silo applies the method's or its default timeout
        var target = new GrainId(reader.ReadStringPayload(), reader.ReadStringPayload());
        var source = reader.ReadStringPayload();
        var requestKey = reader.ReadStringPayload();
        var request = CodeRegistry.TryCreateRequest(requestKey);
        if (request is null)
        {
            connection.TrySend(new ResponseMessage(correlation, FailedRequest.Create(new InvalidOperationException(
                $"Silo {Me} does not know the grain method '{requestKey}'. Are all silos running the same grain assemblies?"))));
            return;
        }

        try
        {
            request.ReadArguments(ref reader);
        }
        catch (Exception ex)
        {
            connection.TrySend(new ResponseMessage(correlation, FailedRequest.Create(new SerializerException(
                $"The arguments of {request} could not be read on silo {Me}: {ex.Message}", ex))));
            return;
        }

        if (source.Length > 0)
        {
            request.SourceId = GrainId.Parse(source);
        }

        CancellationTokenSource? cancellation = null;
        if ((flags & RequestFlags.Cancellable) != 0)
        {
            cancellation = new CancellationTokenSource();
            _inboundCancellations[(connection, correlation)] = cancellation;
            request.SetCancellationToken(cancellation.Token);
        }

        if ((flags & RequestFlags.OneWay) == 0 || cancellation is not null)
        {
            request.OnCompleted(static state =>
            {
                var reply = (InboundReply)state!;
                if (reply.Cancellation is not null)
                {
                    reply.Owner._inboundCancellations.TryRemove((reply.Connection, reply.Correlation), out _);
                    reply.Cancellation.Dispose();
                }

                if (!reply.OneWay)
                {
                    reply.Connection.TrySend(new ResponseMessage(reply.Correlation, reply.Request));
                }
            }, new InboundReply(this, connection, correlation, request, cancellation, (flags & RequestFlags.OneWay) != 0));
        }

        if (_stopped || Deliver is null)
        {
            request.TrySetException(new SiloUnavailableException($"Silo {Me} is not serving."));
            return;
        }

        Deliver(target, request, hops);
    }

    public void OnClosed(Connection connection, Exception? error)
    {
        if (connection.Tag is SiloAddress silo)
        {
            Forget(silo, connection);
        }
    }

    /// <summary>Stops listening and closes every connection (abortively for a kill: peers see resets).</summary>
    public async Task StopAsync(bool abortive)
    {
        _stopped = true;
        _stopping.Cancel();
        if (_siloListener is not null)
        {
            await _siloListener.StopAsync(abortive).ConfigureAwait(false);
        }

        if (_gatewayListener is not null)
        {
            await _gatewayListener.StopAsync(abortive).ConfigureAwait(false);
        }

        foreach (var pair in _outbound)
        {
            if (pair.Value.IsValueCreated && pair.Value.Value.IsCompletedSuccessfully)
            {
                pair.Value.Value.Result.Close(null, abortive);
            }
        }

        _outbound.Clear();
        foreach (var pair in _pending)
        {
            if (_pending.TryRemove(pair.Key, out var call))
            {
                call.Cancellation.Dispose();
                call.Request.TrySetException(new SiloUnavailableException($"Silo {Me} stopped before {call.Request} got its response."));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(abortive: false).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed record PendingCall(GrainRequest Request, SiloAddress Target, long Started, TimeSpan Timeout,
        CancellationTokenRegistration Cancellation);

    private sealed record InboundReply(SiloMessageCenter Owner, Connection Connection, long Correlation, GrainRequest Request,
        CancellationTokenSource? Cancellation, bool OneWay);

    [LoggerMessage(1, LogLevel.Debug, "Connecting to silo {Silo} failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string silo, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Ignored a message of unknown kind {Kind} from {Peer}")]
    private static partial void LogUnknownMessage(ILogger logger, uint kind, string peer);
}
