using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OrleansCompute.Configuration;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;

namespace OrleansCompute.Cluster;

/// <summary>
/// This silo's membership protocol, Orleans-style: join by inserting its row with a table-version CAS;
/// refresh the view periodically; probe every active peer over its connection; after
/// <see cref="ClusterMembershipOptions.MissedProbesLimit"/> missed probes write a suspicion vote, and when
/// enough fresh votes exist (fewer when fewer silos are alive to vote; one in a 2-silo cluster) declare
/// the peer dead through a CAS. A silo that reads itself dead fences itself: it stops serving at once.
/// A silo that can neither read the table nor reach a majority of the active silos for
/// <see cref="ClusterMembershipOptions.IsolationFenceTimeout"/> fences itself too (the losing side of a partition).
/// </summary>
internal sealed partial class MembershipAgent(
    IMembershipTable table,
    SiloMessageCenter messages,
    ClusterMembershipOptions options,
    string siloName,
    int gatewayPort,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SiloAddress, int> _missedProbes = new();
    private CancellationTokenSource _stopping = new();
    private int _rowLost;
    private readonly SemaphoreSlim _tableLock = new(1, 1);
    private Task _loop = Task.CompletedTask;
    private volatile ClusterView _view = ClusterView.Empty;
    private int _fenced;
    private long _lastTableContact;
    private long _lastQuorum;
    private volatile bool _tableFailing;  // the last table call of the table loop failed or timed out
    private volatile bool _quorumFailing; // the last probe round reached no majority
    private int _suspecting;

    public SiloAddress Me => messages.Me;

    public ClusterView View => _view;

    /// <summary>Raised (on a background thread) with the silos newly seen dead.</summary>
    public event Action<IReadOnlyList<SiloAddress>>? SilosDied;

    /// <summary>Raised once when this silo's row vanished from the table (the table lost its data).</summary>
    public event Action? RowLost;

    /// <summary>Raised once when this silo finds itself declared dead.</summary>
    public event Action? Fenced;

    public bool IsFenced => Volatile.Read(ref _fenced) != 0;

    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        await table.InitializeMembershipTable(true, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var entry = new MembershipEntry
        {
            SiloAddress = Me,
            Status = SiloStatus.Active,
            SiloName = siloName,
            HostName = Environment.MachineName,
            GatewayPort = gatewayPort,
            StartTime = now,
            IAmAliveTime = now,
        };

        for (var attempt = 0; ; attempt++)
        {
            var data = await table.ReadAll(cancellationToken).ConfigureAwait(false);
            if (await table.InsertRow(entry, data.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            if (attempt > 50)
            {
                throw new InvalidOperationException($"Silo {Me} could not join the cluster: the membership table kept changing.");
            }

            await Task.Delay(Random.Shared.Next(5, 50), cancellationToken).ConfigureAwait(false);
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        LogJoined(logger, Me.ToString(), _view.ActiveSilos.Length);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastTableContact, time.GetTimestamp());
        Volatile.Write(ref _lastQuorum, time.GetTimestamp());
        // Two loops: the table loop may wait on an unreachable table (each call bounded by TableOperationTimeout);
        // the probe loop never waits on the table, so it can tell a partition (no table, no majority) from a
        // table outage (no table, peers fine) and fence in time.
        var tableLoop = Task.Run(() => RunTableLoopAsync(cancellationToken), CancellationToken.None);
        var isolationLoop = Task.Run(() => RunIsolationLoopAsync(cancellationToken), CancellationToken.None);
        await RunProbeLoopAsync(cancellationToken).ConfigureAwait(false);
        await tableLoop.ConfigureAwait(false);
        await isolationLoop.ConfigureAwait(false);
    }

    /// <summary>Checks for isolation every 100 ms, independently of probe rounds (which take up to ProbeTimeout).</summary>
    private async Task RunIsolationLoopAsync(CancellationToken cancellationToken)
    {
        if (options.IsolationFenceTimeout <= TimeSpan.Zero)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested && !IsFenced)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
                CheckIsolation();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private TimeSpan Tick => TimeSpan.FromMilliseconds(Math.Max(20,
        Math.Min(options.ProbeInterval.TotalMilliseconds, options.TableRefreshInterval.TotalMilliseconds) / 2));

    private async Task RunTableLoopAsync(CancellationToken cancellationToken)
    {
        var lastRefresh = time.GetTimestamp();
        var lastAlive = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested && !IsFenced)
        {
            try
            {
                await Task.Delay(Tick, time, cancellationToken).ConfigureAwait(false);
                if (time.GetElapsedTime(lastRefresh) >= options.TableRefreshInterval)
                {
                    lastRefresh = time.GetTimestamp();
                    await RefreshAsync(cancellationToken).WaitAsync(options.TableOperationTimeout, time, cancellationToken).ConfigureAwait(false);
                }

                if (time.GetElapsedTime(lastAlive) >= options.IAmAliveInterval)
                {
                    lastAlive = time.GetTimestamp();
                    await table.UpdateIAmAlive(new MembershipEntry { SiloAddress = Me, IAmAliveTime = time.GetUtcNow() }, cancellationToken)
                        .WaitAsync(options.TableOperationTimeout, time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Table unreachable for a moment (e.g. Redis restarting): keep serving with the last view.
                _tableFailing = true;
                LogLoopFailed(logger, ex.Message);
            }
        }
    }

    private async Task RunProbeLoopAsync(CancellationToken cancellationToken)
    {
        var lastProbe = 0L;
        while (!cancellationToken.IsCancellationRequested && !IsFenced)
        {
            try
            {
                await Task.Delay(Tick, time, cancellationToken).ConfigureAwait(false);
                if (time.GetElapsedTime(lastProbe) >= options.ProbeInterval)
                {
                    lastProbe = time.GetTimestamp();
                    await ProbeAllAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogLoopFailed(logger, ex.Message);
            }
        }
    }

    /// <summary>
    /// Fences this silo when, for <see cref="ClusterMembershipOptions.IsolationFenceTimeout"/>, it has neither read
    /// the table nor reached a majority of the active silos: it is cut off, and the majority will declare it dead
    /// and reactivate its grains, so it must not keep serving (or writing) beside them.
    /// </summary>
    private void CheckIsolation()
    {
        var limit = options.IsolationFenceTimeout;
        if (limit <= TimeSpan.Zero)
        {
            return;
        }

        var sinceTable = time.GetElapsedTime(Volatile.Read(ref _lastTableContact));
        var sinceQuorum = time.GetElapsedTime(Volatile.Read(ref _lastQuorum));
        // Only failed attempts count: a silo whose loops merely ran late (its thread pool held by other work for a few
        // seconds) has not seen the table or its peers fail and is not cut off.
        if (sinceTable >= limit && sinceQuorum >= limit && _tableFailing && _quorumFailing)
        {
            Fence(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"isolated: no membership table for {sinceTable.TotalSeconds:F1} s and no majority of the active silos for {sinceQuorum.TotalSeconds:F1} s (a partition; the majority takes over its grains)"));
        }
    }

    /// <summary>Reads the table and publishes a new view; fences this silo if it was declared dead.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var data = await table.ReadAll(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastTableContact, time.GetTimestamp());
        _tableFailing = false;
        var active = ImmutableArray.CreateBuilder<MembershipEntry>();
        var dead = ImmutableHashSet.CreateBuilder<SiloAddress>();
        MembershipEntry? mine = null;
        foreach (var (entry, _) in data.Members)
        {
            if (entry.SiloAddress == Me)
            {
                mine = entry;
            }

            if (entry.Status == SiloStatus.Dead)
            {
                dead.Add(entry.SiloAddress);
            }
            else if (entry.Status == SiloStatus.Active)
            {
                active.Add(entry);
            }
        }

        // A newer incarnation on our endpoint, or our own row marked dead or missing after we joined, means we are out.
        var superseded = data.Members.Any(m => m.Entry.SiloAddress.IsSameEndpoint(Me) && m.Entry.SiloAddress.Generation > Me.Generation);
        if (mine?.Status == SiloStatus.Dead || superseded)
        {
            Fence(superseded ? "a newer incarnation of this silo joined" : "the cluster declared this silo dead");
            return;
        }

        if (mine is null && _view != ClusterView.Empty)
        {
            // Our row vanished (the table lost its data): rejoin as a new member rather than loop or die (dotnet/orleans#7784).
            if (Interlocked.Exchange(ref _rowLost, 1) == 0)
            {
                LogRowLost(logger, Me.ToString());
                _stopping.Cancel();
                RowLost?.Invoke();
            }

            return;
        }

        var previous = _view;
        var view = new ClusterView(data.Version.Version, active.ToImmutable(), dead.ToImmutable());
        _view = view;
        // Silos that left the active set, and silos newly marked dead, since the previous view.
        var newlyDead = previous.ActiveSilos.Where(s => !view.IsActive(s))
            .Concat(previous == ClusterView.Empty ? [] : view.Dead.Where(s => !previous.Dead.Contains(s)))
            .Distinct()
            .ToList();
        if (newlyDead.Count > 0)
        {
            foreach (var silo in newlyDead)
            {
                _missedProbes.TryRemove(silo, out _);
            }

            SilosDied?.Invoke(newlyDead);
        }
    }

    private async Task ProbeAllAsync(CancellationToken cancellationToken)
    {
        var view = _view;
        var peers = view.ActiveSilos.Where(s => s != Me).ToList();
        var results = await Task.WhenAll(peers.Select(p => messages.PingAsync(p, options.ProbeTimeout))).ConfigureAwait(false);
        // A majority of the active silos, counting this one, answered (always true for a silo alone).
        var reachable = 1 + results.Count(r => r);
        if (reachable * 2 > peers.Count + 1)
        {
            Volatile.Write(ref _lastQuorum, time.GetTimestamp());
            _quorumFailing = false;
        }
        else
        {
            _quorumFailing = true;
        }

        var suspects = new List<SiloAddress>();
        for (var i = 0; i < peers.Count; i++)
        {
            if (results[i])
            {
                _missedProbes.TryRemove(peers[i], out _);
                continue;
            }

            var missed = _missedProbes.AddOrUpdate(peers[i], 1, (_, n) => n + 1);
            LogProbeMissed(logger, peers[i].ToString(), missed);
            if (missed >= options.MissedProbesLimit)
            {
                suspects.Add(peers[i]);
            }
        }

        // Votes need the table: written in the background (one pass at a time, each vote bounded) so an unreachable
        // table never delays the next probe round or the isolation check.
        if (suspects.Count > 0 && Interlocked.CompareExchange(ref _suspecting, 1, 0) == 0)
        {
            _ = SuspectAllAsync(suspects, cancellationToken);
        }
    }

    private async Task SuspectAllAsync(List<SiloAddress> suspects, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var suspect in suspects)
            {
                await SuspectAsync(suspect, cancellationToken).WaitAsync(options.TableOperationTimeout, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogLoopFailed(logger, ex.Message);
        }
        finally
        {
            Volatile.Write(ref _suspecting, 0);
        }
    }

    /// <summary>Writes this silo's vote against <paramref name="suspect"/>, declaring it dead if the votes suffice.</summary>
    public async Task SuspectAsync(SiloAddress suspect, CancellationToken cancellationToken)
    {
        await _tableLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var data = await table.ReadAll(cancellationToken).ConfigureAwait(false);
                var row = data.Members.FirstOrDefault(m => m.Entry.SiloAddress == suspect);
                if (row.Entry is null || row.Entry.Status == SiloStatus.Dead)
                {
                    return;
                }

                var now = time.GetUtcNow();
                var votes = row.Entry.SuspectTimes
                    .Where(v => v.Voter != Me && now - v.Time < options.DeathVoteExpiration)
                    .Append(new SuspectVote(Me, now))
                    .ToList();
                var alive = data.Members.Count(m => m.Entry.Status == SiloStatus.Active && m.Entry.SiloAddress != suspect);
                var required = Math.Max(1, Math.Min(options.NumVotesForDeathDeclaration, alive));
                var declare = votes.Count >= required;
                var updated = row.Entry with
                {
                    SuspectTimes = votes,
                    Status = declare ? SiloStatus.Dead : row.Entry.Status,
                };
                if (await table.UpdateRow(updated, row.Etag, data.Version.Next(), cancellationToken).ConfigureAwait(false))
                {
                    if (declare)
                    {
                        LogDeclaredDead(logger, suspect.ToString(), votes.Count);
                        await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        LogVoted(logger, suspect.ToString(), votes.Count, required);
                    }

                    return;
                }
            }
        }
        finally
        {
            _tableLock.Release();
        }
    }

    private void Fence(string reason)
    {
        if (Interlocked.Exchange(ref _fenced, 1) != 0)
        {
            return;
        }

        LogFenced(logger, Me.ToString(), reason);
        _stopping.Cancel();
        Fenced?.Invoke();
    }

    /// <summary>Joins again after <see cref="RowLost"/>, under the message center's new identity.</summary>
    public async Task RejoinAsync(CancellationToken cancellationToken)
    {
        await WaitLoopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _stopping = new CancellationTokenSource();
        _missedProbes.Clear();
        _view = ClusterView.Empty;
        Volatile.Write(ref _rowLost, 0);
        await JoinAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Graceful leave: marks this silo dead in the table so peers stop routing to it at once.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await WaitLoopAsync().ConfigureAwait(false);
        if (IsFenced)
        {
            return;
        }

        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                var data = await table.ReadAll(cancellationToken).ConfigureAwait(false);
                var row = data.Members.FirstOrDefault(m => m.Entry.SiloAddress == Me);
                if (row.Entry is null || row.Entry.Status == SiloStatus.Dead)
                {
                    return;
                }

                if (await table.UpdateRow(row.Entry with { Status = SiloStatus.Dead }, row.Etag, data.Version.Next(), cancellationToken)
                        .ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoopFailed(logger, ex.Message);
                return;
            }
        }
    }

    /// <summary>Abrupt stop (a killed silo): no table update; peers must detect it.</summary>
    public Task KillAsync()
    {
        _stopping.Cancel();
        return WaitLoopAsync();
    }

    private async Task WaitLoopAsync()
    {
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await WaitLoopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _tableLock.Dispose();
    }

    [LoggerMessage(1, LogLevel.Information, "Silo {Silo} joined the cluster ({Count} active silo(s))")]
    private static partial void LogJoined(ILogger logger, string silo, int count);

    [LoggerMessage(2, LogLevel.Warning, "Membership loop: {Reason}")]
    private static partial void LogLoopFailed(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Probe of {Silo} missed ({Missed} in a row)")]
    private static partial void LogProbeMissed(ILogger logger, string silo, int missed);

    [LoggerMessage(4, LogLevel.Warning, "Declared silo {Silo} dead ({Votes} vote(s))")]
    private static partial void LogDeclaredDead(ILogger logger, string silo, int votes);

    [LoggerMessage(5, LogLevel.Information, "Voted silo {Silo} suspect ({Votes}/{Required} votes)")]
    private static partial void LogVoted(ILogger logger, string silo, int votes, int required);

    [LoggerMessage(7, LogLevel.Warning, "The membership row of {Silo} vanished (the table lost its data): rejoining as a new member")]
    private static partial void LogRowLost(ILogger logger, string silo);

    [LoggerMessage(6, LogLevel.Error, "Silo {Silo} stops serving: {Reason}")]
    private static partial void LogFenced(ILogger logger, string silo, string reason);
}
