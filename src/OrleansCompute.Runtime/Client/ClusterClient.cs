using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using OrleansCompute.Cluster;
using OrleansCompute.Configuration;
using OrleansCompute.Invocation;
using OrleansCompute.Membership;
using OrleansCompute.Messaging.Transport;
using OrleansCompute.Runtime;
using OrleansCompute.Serialization;

namespace OrleansCompute.Client;

/// <summary>
/// <see cref="IClusterClient"/> for processes that are not silos. Connects to silo gateways, learns grain
/// types from the silos' manifest (so it needs only grain interfaces), sends each call through a live
/// gateway (which routes it in the cluster), fails calls in flight on a gateway that dies with
/// <see cref="SiloUnavailableException"/>, and moves on to the other gateways, refreshed from membership.
/// </summary>
public sealed partial class ClusterClient : IClusterClient, IGrainReferenceRuntime, IAsyncDisposable
{
    private readonly ClusterClientOptions _options;
    private readonly IMembershipTable? _membership;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConnectionSettings _settings;
    private readonly ConcurrentDictionary<IPEndPoint, Connection> _gateways = new();
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<GrainManifest>> _manifestRequests = new();
    private readonly ConcurrentDictionary<(Type, string), string> _grainTypes = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly Handler _handler;
    private List<IPEndPoint> _knownGateways;
    private GrainManifest _manifest = new();
    private ITimer? _timer;
    private long _nextCorrelation;
    private int _roundRobin;

    public ClusterClient(ClusterClientOptions options, IServiceProvider services, IMembershipTable? membership, TimeProvider time, ILogger<ClusterClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.ClusterSecret))
        {
            throw new ArgumentException("OrleansCompute:Client:ClusterSecret must be set.", nameof(options));
        }

        _options = options;
        ServiceProvider = services;
        _membership = membership;
        _time = time;
        _logger = logger;
        _settings = new ConnectionSettings(PeerKind.Client, options.ClusterId, "client/" + Guid.NewGuid().ToString("N"),
            Encoding.UTF8.GetBytes(options.ClusterSecret), options.MaxMessageSize, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        _knownGateways = [.. options.Gateways.Select(IPEndPoint.Parse)];
        _handler = new Handler(this);
    }

    public IServiceProvider ServiceProvider { get; }

    public IGrainFactory GrainFactory => this;

    /// <summary>Gateways currently connected.</summary>
    public int ConnectedGateways => _gateways.Count;

    /// <summary>Connects to at least one gateway and loads the grain manifest.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        await RefreshGatewaysAsync(cancellationToken).ConfigureAwait(false);
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        _timer = _time.CreateTimer(static s => ((ClusterClient)s!).OnTimer(), this, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
    }

    private long _lastRefresh;

    private void OnTimer()
    {
        var now = _time.GetTimestamp();
        foreach (var pair in _pending)
        {
            if (_time.GetElapsedTime(pair.Value.Started, now) > pair.Value.Timeout && _pending.TryRemove(pair.Key, out var call))
            {
                call.Cancellation.Dispose();
                call.Request.TrySetException(new TimeoutException($"Response did not arrive on time in {call.Timeout} for {call.Request}."));
            }
        }

        if (_time.GetElapsedTime(_lastRefresh, now) > _options.GatewayRefreshInterval)
        {
            _lastRefresh = now;
            _ = RefreshAndReconnectAsync();
        }
    }

    private async Task RefreshAndReconnectAsync()
    {
        try
        {
            await RefreshGatewaysAsync(_stopping.Token).ConfigureAwait(false);
            await EnsureConnectedAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNoGateway(_logger, ex.Message);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshGatewaysAsync(CancellationToken cancellationToken)
    {
        if (_membership is null)
        {
            return;
        }

        var data = await _membership.ReadAll(cancellationToken).ConfigureAwait(false);
        var live = data.Members.Where(m => m.Entry.Status == SiloStatus.Active && m.Entry.GatewayPort > 0)
            .Select(m => new IPEndPoint(m.Entry.SiloAddress.Endpoint.Address, m.Entry.GatewayPort))
            .ToList();
        if (live.Count > 0)
        {
            _knownGateways = live;
            foreach (var pair in _gateways)
            {
                if (!live.Contains(pair.Key))
                {
                    DropGateway(pair.Key, pair.Value, new SiloUnavailableException($"Gateway {pair.Key} left the cluster."));
                }
            }
        }
    }

    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Exception? last = null;
            foreach (var endpoint in _knownGateways.OrderBy(_ => Random.Shared.Next()))
            {
                if (_gateways.ContainsKey(endpoint))
                {
                    continue;
                }

                try
                {
                    var connection = await Connection.ConnectAsync(endpoint, _settings, _handler, _logger, cancellationToken).ConfigureAwait(false);
                    connection.Tag = endpoint;
                    _gateways[endpoint] = connection;
                    if (_manifest.Grains.Count == 0)
                    {
                        _manifest = await RequestManifestAsync(connection, cancellationToken).ConfigureAwait(false);
                        _grainTypes.Clear();
                    }

                    LogConnected(_logger, endpoint.ToString());
                }
                catch (HandshakeException)
                {
                    throw;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    last = ex;
                }
            }

            if (_gateways.IsEmpty)
            {
                throw new SiloUnavailableException(
                    $"No gateway answered ({string.Join(", ", _knownGateways)}): {last?.Message ?? "no gateways configured"}", last ?? new InvalidOperationException());
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task<GrainManifest> RequestManifestAsync(Connection connection, CancellationToken cancellationToken)
    {
        var correlation = Interlocked.Increment(ref _nextCorrelation);
        var response = new TaskCompletionSource<GrainManifest>(TaskCreationOptions.RunContinuationsAsynchronously);
        _manifestRequests[correlation] = response;
        try
        {
            connection.TrySend(new ControlMessage(MessageKind.ManifestRequest, correlation));
            return await response.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _manifestRequests.TryRemove(correlation, out _);
        }
    }

    public ValueTask<TResult> InvokeAsync<TResult>(GrainReference reference, GrainRequest<TResult> request)
    {
        Send(reference.GrainId, request);
        return request.AsValueTask();
    }

    public void InvokeOneWay(GrainReference reference, GrainRequest request) => Send(reference.GrainId, request);

    private void Send(GrainId target, GrainRequest request)
    {
        var connection = PickGateway();
        if (connection is null)
        {
            request.TrySetException(new SiloUnavailableException("The client has no live gateway connection; it keeps trying to reconnect."));
            _ = RefreshAndReconnectAsync();
            return;
        }

        var correlation = Interlocked.Increment(ref _nextCorrelation);
        var timeout = request.ResponseTimeout ?? _options.ResponseTimeout;
        if ((request.Options & InvokeMethodOptions.OneWay) == 0)
        {
            var cancellation = request.CancellationToken.CanBeCanceled
                ? request.CancellationToken.UnsafeRegister(static state =>
                {
                    var (via, id) = ((Connection, long))state!;
                    via.TrySend(new ControlMessage(MessageKind.Cancel, id));
                }, (connection, correlation))
                : default;
            _pending[correlation] = new PendingCall(request, connection, _time.GetTimestamp(), timeout, cancellation);
        }

        var timeoutMs = timeout == Timeout.InfiniteTimeSpan ? 0u : (uint)Math.Min(uint.MaxValue, timeout.TotalMilliseconds);
        var message = new RequestMessage(correlation, target, request, 0, timeoutMs, ex =>
        {
            if (_pending.TryRemove(correlation, out var removed))
            {
                removed.Cancellation.Dispose();
            }

            request.TrySetException(ex is MessageTooLargeException or SerializerException or CodecNotFoundException
                ? ex
                : new SiloUnavailableException($"Could not send {request} through gateway {connection.Tag}: {ex.Message}", ex));
        });
        if (!connection.TrySend(message))
        {
            message.OnSendFailed(new IOException("The gateway connection closed."));
        }
    }

    private Connection? PickGateway()
    {
        var open = _gateways.Values.Where(c => !c.IsClosed).ToArray();
        return open.Length == 0 ? null : open[(int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)open.Length)];
    }

    private void OnFrame(Connection connection, ReadOnlySpan<byte> body)
    {
        var reader = new Reader(body);
        var kind = (MessageKind)reader.ReadVarUInt32();
        var correlation = (long)reader.ReadVarUInt64();
        if (kind == MessageKind.Response && _pending.TryRemove(correlation, out var call))
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
        else if (kind == MessageKind.ManifestResponse && _manifestRequests.TryGetValue(correlation, out var manifest))
        {
            reader.TryReadField(out var field);
            manifest.TrySetResult(Codec<GrainManifest>.Instance.ReadValue(ref reader, field));
        }
        else if (kind == MessageKind.Ping)
        {
            connection.TrySend(new ControlMessage(MessageKind.Pong, correlation));
        }
    }

    private void OnClosed(Connection connection, Exception? error)
    {
        if (connection.Tag is IPEndPoint endpoint)
        {
            DropGateway(endpoint, connection, new SiloUnavailableException(
                $"Gateway {endpoint} closed the connection{(error is null ? "" : ": " + error.Message)}. The call may or may not have run."));
        }
    }

    private void DropGateway(IPEndPoint endpoint, Connection connection, Exception failure)
    {
        _gateways.TryRemove(KeyValuePair.Create(endpoint, connection));
        connection.Close(null);
        foreach (var pair in _pending)
        {
            if (ReferenceEquals(pair.Value.Via, connection) && _pending.TryRemove(pair.Key, out var call))
            {
                call.Cancellation.Dispose();
                call.Request.TrySetException(failure);
            }
        }
    }

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey => Create<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey => Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey => Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey =>
        Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey, keyExtension), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey =>
        Create<TGrainInterface>(GrainKeyFormat.Format(primaryKey, keyExtension), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IAddressable => CreateReference<TGrainInterface>(grainId);

    private TGrainInterface Create<TGrainInterface>(string key, string? prefix)
    {
        var grainType = _grainTypes.GetOrAdd((typeof(TGrainInterface), prefix ?? ""), static (k, manifest) =>
        {
            var name = k.Item1.FullName;
            var matches = manifest.Grains.Where(g => g.Interfaces.Contains(name!)
                && (k.Item2.Length == 0 || g.ClassFullName.StartsWith(k.Item2, StringComparison.Ordinal)
                    || g.ClassFullName[(g.ClassFullName.LastIndexOf('.') + 1)..].StartsWith(k.Item2, StringComparison.Ordinal))).ToList();
            return matches.Count switch
            {
                1 => matches[0].GrainType,
                0 => throw new ArgumentException($"No grain class in the cluster implements {name} (the client learns grain classes from the silos it connects to)."),
                _ => throw new ArgumentException($"Several grain classes implement {name} ({string.Join(", ", matches.Select(m => m.ClassFullName))}): pass grainClassNamePrefix."),
            };
        }, _manifest);
        return CreateReference<TGrainInterface>(new GrainId(grainType, key));
    }

    private TGrainInterface CreateReference<TGrainInterface>(GrainId grainId) => CodeRegistry.CreateReference<TGrainInterface>(this, grainId);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var pair in _gateways)
        {
            DropGateway(pair.Key, pair.Value, new SiloUnavailableException("The client was disposed."));
        }

        _stopping.Dispose();
        _connectLock.Dispose();
    }

    private sealed record PendingCall(GrainRequest Request, Connection Via, long Started, TimeSpan Timeout, CancellationTokenRegistration Cancellation);

    private sealed class Handler(ClusterClient client) : IConnectionHandler
    {
        public void OnFrame(Connection connection, ReadOnlySpan<byte> body) => client.OnFrame(connection, body);

        public void OnClosed(Connection connection, Exception? error) => client.OnClosed(connection, error);
    }

    [LoggerMessage(1, LogLevel.Information, "Client connected to gateway {Gateway}")]
    private static partial void LogConnected(ILogger logger, string gateway);

    [LoggerMessage(2, LogLevel.Warning, "Client could not reach a gateway: {Reason}")]
    private static partial void LogNoGateway(ILogger logger, string reason);
}
