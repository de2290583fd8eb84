using System.Diagnostics;
using Orleans;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// A real cluster on loopback for chaos runs: one redis-server (AOF on, <c>appendfsync always</c>) and N Orleans silo
/// processes clustered through it (Redis clustering + Redis grain storage, the silo's fast failure-detection profile,
/// explicit free ports), an Orleans client, and kill -9 / restart of silos and of Redis.
/// </summary>
internal sealed class ChaosCluster : IAsyncDisposable
{
    private readonly List<string> _extraArguments;
    private readonly SiloProcess?[] _silos;
    private readonly int[] _restarts;
    private SiloClusterClient? _client;
    private bool _api;
    private int _nextApi;

    private ChaosCluster(RedisServer redis, int silos, IEnumerable<string> extraArguments)
    {
        Redis = redis;
        ClusterId = "chaos-" + Guid.NewGuid().ToString("N")[..6];
        _silos = new SiloProcess?[silos];
        _restarts = new int[silos];
        _extraArguments = [.. extraArguments];
    }

    public RedisServer Redis { get; }

    public string ClusterId { get; }

    public IClusterClient Client => _client?.Client ?? throw new InvalidOperationException("not started");

    public IReadOnlyList<SiloProcess?> Silos => _silos;

    /// <summary>Starts Redis, <paramref name="silos"/> silo processes and a connected client.</summary>
    public static async Task<ChaosCluster> StartAsync(int silos, IEnumerable<string>? extraSiloArguments = null, bool api = true)
    {
        var redis = await RedisServer.StartAsync();
        var cluster = new ChaosCluster(redis, silos, extraSiloArguments ?? []) { _api = api };
        try
        {
            await Task.WhenAll(Enumerable.Range(0, silos).Select(cluster.StartSiloAsync));
            cluster._client = await SiloClusterClient.ConnectAsync(redis.ConnectionString, cluster.ClusterId);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartSiloAsync(int index)
    {
        var name = _restarts[index] == 0 ? $"silo{index + 1}" : $"silo{index + 1}-r{_restarts[index]}";
        _silos[index] = await SiloProcess.StartAsync(new SiloProcessOptions
        {
            Name = name,
            Redis = Redis.ConnectionString,
            ClusterId = ClusterId,
            ApiPort = _api ? 0 : null,
            ExtraArguments = _extraArguments,
        });
    }

    /// <summary>The API base address of a running silo, round robin (a client spreading its requests).</summary>
    public string NextApiAddress()
    {
        var live = _silos.Where(s => s is { HasExited: false, ApiBaseAddress: not null }).Select(s => s!.ApiBaseAddress!).ToArray();
        if (live.Length == 0)
        {
            throw new HttpRequestException("no silo with an API is running right now");
        }

        return live[(int)((uint)Interlocked.Increment(ref _nextApi) % (uint)live.Length)];
    }

    /// <summary>The cluster's membership rows (straight from Redis).</summary>
    public Task<IReadOnlyList<MembershipRow>> MembershipAsync() => SiloClusterClient.ReadMembershipAsync(Redis.ConnectionString, ClusterId);

    /// <summary>kill -9 of silo <paramref name="index"/>; returns its membership address (to watch it being declared dead).</summary>
    public async Task<string?> KillSiloAsync(int index)
    {
        var silo = _silos[index] ?? throw new InvalidOperationException($"silo {index} is not running");
        string? address = null;
        try
        {
            address = (await MembershipAsync()).Where(r => r.Endpoint == silo.SiloEndpoint && r.IsActive).Select(r => r.Address).FirstOrDefault();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Redis unreachable right now: the kill goes ahead without a detection figure.
        }

        silo.Kill();
        await silo.DisposeAsync();
        _silos[index] = null;
        return address;
    }

    /// <summary>Starts silo <paramref name="index"/> again (a new process, so a new member).</summary>
    public Task RestartSiloAsync(int index)
    {
        _restarts[index]++;
        return StartSiloAsync(index);
    }

    /// <summary>Time until <paramref name="address"/>'s row says Dead (polled every 50 ms), or null after <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> WaitDeclaredDeadAsync(string address, Stopwatch since, TimeSpan limit)
    {
        while (since.Elapsed < limit)
        {
            try
            {
                if ((await MembershipAsync()).Any(r => r.Address == address && r.IsDead))
                {
                    return since.Elapsed;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Redis may be restarting in some runs: look again.
            }

            await Task.Delay(50);
        }

        return null;
    }

    /// <summary>Silos whose process ended by itself (crash or fence), with their output tail.</summary>
    public IEnumerable<string> UnexpectedExits() =>
        _silos.Where(s => s is { HasExited: true }).Select(s => $"{s!.Name} exited with {s.ExitCode}:\n{Tail(s.Output)}");

    /// <summary>Silos that logged that they stopped serving (the isolation watchdog fenced them).</summary>
    public IEnumerable<string> Fenced() =>
        _silos.Where(s => s is not null && s.Output.Contains("stops serving", StringComparison.Ordinal)).Select(s => s!.Name);

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        foreach (var silo in _silos)
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }

        await Redis.DisposeAsync();
    }
}
