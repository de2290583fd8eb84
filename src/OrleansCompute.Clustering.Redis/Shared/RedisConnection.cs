using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace OrleansCompute.Redis;

/// <summary>
/// One <see cref="ConnectionMultiplexer"/> per provider instance, connected lazily, reconnecting on its own, with every
/// operation bounded by a timeout. Compiled into both Redis provider assemblies (linked source file).
/// </summary>
/// <remarks>
/// StackExchange.Redis 1.2.6 has no timeout for asynchronous commands: a command sent to a server that stopped answering
/// (paused, or a half-open socket) would wait forever. Every operation therefore waits at most <c>operationTimeout</c>
/// and then throws <see cref="TimeoutException"/> naming the endpoint; when the connection is down, the client fails
/// fast with <see cref="RedisConnectionException"/>. With <c>AbortOnConnectFail = false</c> the multiplexer keeps
/// reconnecting in the background, so operations succeed again once the server is back.
/// </remarks>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly int _database;
    private readonly TimeSpan _operationTimeout;
    private readonly string _description;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private bool _disposed;

    /// <param name="connectionString">A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</param>
    /// <param name="database">The database number (-1: the server's default).</param>
    /// <param name="operationTimeout">The longest any operation (including connecting) waits.</param>
    /// <param name="description">Who owns this connection, for messages and logs (e.g. <c>RedisMembershipTable</c>).</param>
    /// <param name="logger">Connection failures and restorations are logged here.</param>
    public RedisConnection(string connectionString, int database, TimeSpan operationTimeout, string description, ILogger? logger)
    {
        _configuration = ConfigurationOptions.Parse(connectionString);
        _configuration.AbortOnConnectFail = false;
        _database = database;
        _operationTimeout = operationTimeout;
        _description = description;
        _logger = logger ?? NullLogger.Instance;
        Endpoint = DescribeEndpoints(_configuration);
    }

    /// <summary>The configured endpoints, e.g. <c>127.0.0.1:6379</c> (for messages; never includes the password).</summary>
    public string Endpoint { get; }

    /// <summary>Whether <paramref name="connectionString"/> parses as a StackExchange.Redis configuration with at least one endpoint.</summary>
    public static bool IsValidConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }

        try
        {
            return ConfigurationOptions.Parse(connectionString).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> against the database, waiting at most the operation timeout.
    /// Throws <see cref="TimeoutException"/> (no answer in time), <see cref="RedisException"/> (connection or server error)
    /// or <see cref="OperationCanceledException"/>; callers wrap the first two in their own exception type.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(string what, Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = TimeProvider.System.GetTimestamp();
        var multiplexer = await WaitAsync(GetMultiplexerAsync(), what, _operationTimeout, cancellationToken).ConfigureAwait(false);
        var remaining = _operationTimeout - TimeProvider.System.GetElapsedTime(started);
        var task = operation(multiplexer.GetDatabase(_database));
        return await WaitAsync(task, what, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connecting = _connecting;
        }

        if (connecting is not null)
        {
            try
            {
                var multiplexer = await connecting.ConfigureAwait(false);
                await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
                multiplexer.Dispose();
            }
            catch (Exception ex) when (ex is RedisException or ObjectDisposedException or TimeoutException)
            {
                // Closing a connection that never worked: nothing to release.
            }
        }
    }

    private Task<ConnectionMultiplexer> GetMultiplexerAsync()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // A failed attempt is forgotten so the next operation tries again.
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
            {
                _connecting = ConnectAsync();
            }

            return _connecting;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(_logger, e.Exception, _description, Format(e.EndPoint), e.FailureType.ToString());
        multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(_logger, _description, Format(e.EndPoint));
        if (!multiplexer.IsConnected)
        {
            LogNotConnectedYet(_logger, _description, Endpoint);
        }

        return multiplexer;
    }

    private async Task<T> WaitAsync<T>(Task<T> task, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The command may still complete (or fail) later; observe it so its exception is not reported as unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new TimeoutException(
                $"{_description}: Redis at {Endpoint} did not complete '{what}' within {_operationTimeout.TotalSeconds:0.###} s "
                + "(server down, unreachable or overloaded). The operation may or may not have been applied.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    private static string DescribeEndpoints(ConfigurationOptions configuration)
    {
        var endpoints = new List<string>(configuration.EndPoints.Count);
        foreach (var endpoint in configuration.EndPoints)
        {
            endpoints.Add(Format(endpoint));
        }

        return endpoints.Count == 0 ? "(no endpoint)" : string.Join(",", endpoints);
    }

    private static string Format(EndPoint? endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        null => "(unknown)",
        _ => endpoint.ToString() ?? "(unknown)",
    };

    [LoggerMessage(1, LogLevel.Warning, "{Owner}: connection to Redis at {Endpoint} failed ({FailureType}); reconnecting in the background.")]
    private static partial void LogConnectionFailed(ILogger logger, Exception? exception, string owner, string endpoint, string failureType);

    [LoggerMessage(2, LogLevel.Information, "{Owner}: connection to Redis at {Endpoint} restored.")]
    private static partial void LogConnectionRestored(ILogger logger, string owner, string endpoint);

    [LoggerMessage(3, LogLevel.Warning, "{Owner}: Redis at {Endpoint} is not reachable yet; operations fail until it is.")]
    private static partial void LogNotConnectedYet(ILogger logger, string owner, string endpoint);
}
