using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansCompute.Api.Security;

/// <summary>
/// Enforces "an API key is required beyond loopback" on the addresses the web server actually bound, however they were
/// configured (<c>OrleansCompute:Api:Urls</c>, <c>Kestrel:Endpoints</c> in any configuration source, <c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>, code): once every hosted service has started (the server is
/// listening), it reads the server's <see cref="IServerAddressesFeature"/>. Until that check has passed, no request is
/// answered: <see cref="ListenAddressGate"/>, the outermost middleware, holds every request that arrives meanwhile, lets it
/// through once the check passed and aborts it (no response) if it failed. A failed check stops the host
/// (<see cref="IHostApplicationLifetime.StopApplication"/>) and leaves the reason in <see cref="Refusal"/>: the silo and
/// the API host print it and exit with code 2.
/// </summary>
public sealed partial class ListenAddressGuard(IServiceProvider services, ApiKeyValidator keys, IHostApplicationLifetime lifetime,
    ILogger<ListenAddressGuard> logger) : IHostedLifecycleService
{
    private readonly TaskCompletionSource<bool> _decision = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _open;

    /// <summary>Why the host may not serve (one line), or null (not checked yet, or passed).</summary>
    public string? Refusal { get; private set; }

    /// <summary>The addresses the server reported when checked.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>Whether requests may be served (the check passed).</summary>
    public bool IsOpen => _open;

    /// <summary>Completes with true once the check passed, false if it failed or the host stopped first.</summary>
    public Task<bool> Decision => _decision.Task;

    /// <summary>
    /// Null when serving on <paramref name="addresses"/> is allowed, else why not: an address that is not loopback
    /// (localhost, 127.0.0.0/8, [::1]) or a local socket (unix:, pipe:) needs a configured key.
    /// </summary>
    public static string? Check(IEnumerable<string> addresses, bool keyConfigured)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (keyConfigured)
        {
            return null;
        }

        var exposed = addresses.Where(a => !IsLocal(a)).ToList();
        return exposed.Count == 0
            ? null
            : $"the HTTP API listens on {string.Join(", ", exposed)}, which is not a loopback address, so {ApiOptions.Section}:ApiKeys must hold at least one key " +
              "(clients send it in the X-Api-Key header). Set a key, or listen on 127.0.0.1 / localhost / [::1] only " +
              $"(addresses come from {ApiOptions.Section}:Urls, Kestrel:Endpoints, --urls, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS).";
    }

    /// <summary>Whether a server address (<c>http://127.0.0.1:5080</c>, <c>http://[::]:80</c>, <c>http://unix:/run/api.sock</c>) is reachable only from this machine.</summary>
    public static bool IsLocal(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        BindingAddress parsed;
        try
        {
            parsed = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return false;
        }

        return parsed.IsUnixPipe || parsed.IsNamedPipe || ApiOptions.IsLoopback(parsed.Host);
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // Every hosted service's StartAsync has returned, the web server's included (ASP.NET Core starts it last): it is
        // bound and may already have accepted requests, which the gate holds until this decides.
        var server = services.GetService<IServer>();
        Addresses = [.. server?.Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
        Refusal = Check(Addresses, keys.Required);
        if (Refusal is null)
        {
            _open = true;
            _decision.TrySetResult(true);
            return Task.CompletedTask;
        }

        LogRefused(logger, Refusal);
        _decision.TrySetResult(false);
        lifetime.StopApplication();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _decision.TrySetResult(false); // stopped before the check: release held requests (aborted)
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Critical, "Refusing to serve: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
