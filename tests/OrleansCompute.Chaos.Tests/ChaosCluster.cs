using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansCompute.Client;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// A real cluster on loopback for chaos runs: one redis-server (AOF on, <c>appendfsync always</c>) and N silo
/// processes clustered through it, a cluster client, and kill -9 / restart of silos and of Redis.
/// </summary>
internal sealed class ChaosCluster : IAsyncDisposable
{
    public const string Secret = "chaos-cluster-secret-0123456789";

    private readonly List<string> _extraArguments;
    private readonly SiloProcess?[] _silos;
    private readonly int[] _restarts;
    private ClusterClient? _client;
    private RedisMembershipTable? _table;
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

    public ClusterClient Client => _client ?? throw new InvalidOperationException("not started");

    public RedisMembershipTable Table => _table ?? throw new InvalidOperationException("not started");

    public IReadOnlyList<SiloProcess?> Silos => _silos;

    /// <summary>Starts Redis, <paramref name="silos"/> silo processes and a connected client.</summary>
    public static async Task<ChaosCluster> StartAsync(int silos, IEnumerable<string>? extraSiloArguments = null, bool api = true)
    {
        var redis = await RedisServer.StartAsync();
        var cluster = new ChaosCluster(redis, silos, extraSiloArguments ?? []) { _api = api };
        try
        {
            await Task.WhenAll(Enumerable.Range(0, silos).Select(cluster.StartSiloAsync));
            cluster._table = new RedisMembershipTable(Options.Create(new RedisClusteringOptions { ConnectionString = redis.ConnectionString }),
                Options.Create(new SiloOptions { ClusterId = cluster.ClusterId }));
            cluster._client = new ClusterClient(new ClusterClientOptions
            {
                ClusterId = cluster.ClusterId,
                ClusterSecret = Secret,
                GatewayRefreshInterval = TimeSpan.FromMilliseconds(500),
                ResponseTimeout = TimeSpan.FromSeconds(10),
            }, new ServiceCollection().BuildServiceProvider(), cluster._table, TimeProvider.System, NullLogger<ClusterClient>.Instance);
            await cluster._client.ConnectAsync();
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
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _silos[index] = await SiloProcess.StartAsync(new SiloProcessOptions
                {
                    Name = name,
                    Redis = Redis.ConnectionString,
                    ClusterId = ClusterId,
                    Secret = Secret,
                    ApiPort = _api ? SiloProcess.FreeLoopbackPort() : null,
                    ExtraArguments = _extraArguments,
                });
                return;
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // The API port was free when picked, but something bound it before the silo did (seen in CI: the silo's
                // own silo port, which the OS assigns at bind time, took it). Pick another.
            }
        }
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

    /// <summary>
    /// kill -9 of silo <paramref name="index"/>; returns its membership address (to watch it being declared dead).
    /// </summary>
    public async Task<SiloAddress?> KillSiloAsync(int index)
    {
        var silo = _silos[index] ?? throw new InvalidOperationException($"silo {index} is not running");
        var name = silo.Name;
        var data = await Table.ReadAll();
        var address = data.Members.Where(m => m.Entry.SiloName == name).Select(m => m.Entry.SiloAddress).FirstOrDefault();
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

    /// <summary>Time until <paramref name="silo"/>'s row says Dead (polled every 50 ms), or null after <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> WaitDeclaredDeadAsync(SiloAddress silo, Stopwatch since, TimeSpan limit)
    {
        while (since.Elapsed < limit)
        {
            try
            {
                var data = await Table.ReadAll();
                if (data.Members.Any(m => m.Entry.SiloAddress == silo && m.Entry.Status == SiloStatus.Dead))
                {
                    return since.Elapsed;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
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

    /// <summary>Silos that logged that they stopped serving (fenced).</summary>
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

        if (_table is not null)
        {
            await _table.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
