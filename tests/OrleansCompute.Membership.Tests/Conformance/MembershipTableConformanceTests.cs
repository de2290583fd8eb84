using System.Net;
using OrleansCompute.Membership.Tests.Support;
using OrleansCompute.Runtime;

namespace OrleansCompute.Membership.Tests.Conformance;

/// <summary>
/// The <see cref="IMembershipTable"/> contract, written once and run against every implementation (the scenarios of
/// Orleans's membership table tests). A provider's test class implements <see cref="CreateTableAsync"/>: tables created
/// for the same cluster id within one test must see the same data (they play different silos of one cluster), tables of
/// different cluster ids must be independent. Every test uses a fresh cluster id, so a shared server needs no cleaning.
/// </summary>
public abstract class MembershipTableConformanceTests : IAsyncLifetime
{
    private readonly List<IMembershipTable> _tables = [];

    /// <summary>A fresh cluster id for this test.</summary>
    protected string ClusterId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The table of <see cref="ClusterId"/> (created before each test).</summary>
    protected IMembershipTable Table { get; private set; } = null!;

    /// <summary>Creates a table for <paramref name="clusterId"/>; another call with the same id gives another view of the same table.</summary>
    protected abstract Task<IMembershipTable> CreateTableAsync(string clusterId);

    /// <summary>Another silo's view of the table of <paramref name="clusterId"/>, initialized and disposed with the test.</summary>
    protected async Task<IMembershipTable> OpenAsync(string clusterId)
    {
        var table = await CreateTableAsync(clusterId);
        _tables.Add(table);
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        return table;
    }

    public virtual async Task InitializeAsync() => Table = await OpenAsync(ClusterId);

    public virtual async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            switch (table)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private async Task<(MembershipEntry Entry, string Etag, TableVersion Version)> InsertAsync(MembershipEntry entry)
    {
        var before = await Table.ReadAll();
        Assert.True(await Table.InsertRow(entry, before.Version.Next()), $"insert of {entry.SiloAddress} was refused");
        var after = await Table.ReadRow(entry.SiloAddress);
        var (stored, etag) = Assert.Single(after.Members);
        return (stored, etag, after.Version);
    }

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.GatewayPort, actual.GatewayPort);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Equal(expected.SuspectTimes, actual.SuspectTimes);
    }

    [Fact]
    public async Task An_empty_table_reads_as_version_zero_with_no_rows()
    {
        var all = await Table.ReadAll();
        var row = await Table.ReadRow(Silos.NewAddress());

        Assert.Empty(all.Members);
        Assert.Equal(0, all.Version.Version);
        Assert.False(string.IsNullOrEmpty(all.Version.VersionEtag));
        Assert.Empty(row.Members);
        Assert.Equal(all.Version, row.Version);
    }

    [Fact]
    public async Task A_table_read_before_initialization_is_also_version_zero_and_accepts_an_insert()
    {
        var table = await CreateTableAsync("uninitialized-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var empty = await table.ReadAll();
            Assert.Empty(empty.Members);
            Assert.Equal(0, empty.Version.Version);
            Assert.True(await table.InsertRow(Silos.Entry(Silos.NewAddress()), empty.Version.Next()));
        }
        finally
        {
            _tables.Add(table);
        }
    }

    [Fact]
    public async Task Initializing_again_keeps_the_rows_and_version()
    {
        var (entry, etag, version) = await InsertAsync(Silos.Entry(Silos.NewAddress()));

        await Table.InitializeMembershipTable(tryInitTableVersion: true);
        var again = await OpenAsync(ClusterId);

        var read = await again.ReadAll();
        Assert.Equal(version, read.Version);
        var (stored, storedEtag) = Assert.Single(read.Members);
        AssertSameEntry(entry, stored);
        Assert.Equal(etag, storedEtag);
    }

    [Fact]
    public async Task Insert_with_the_read_version_stores_the_row_and_the_new_version()
    {
        var entry = Silos.Entry(Silos.NewAddress());
        var before = await Table.ReadAll();

        Assert.True(await Table.InsertRow(entry, before.Version.Next()));

        var after = await Table.ReadAll();
        Assert.Equal(1, after.Version.Version);
        Assert.NotEqual(before.Version.VersionEtag, after.Version.VersionEtag);
        var (stored, etag) = Assert.Single(after.Members);
        AssertSameEntry(entry, stored);
        Assert.False(string.IsNullOrEmpty(etag));
    }

    [Fact]
    public async Task Insert_with_a_stale_version_etag_returns_false_and_changes_nothing()
    {
        var stale = (await Table.ReadAll()).Version;
        var (first, _, version) = await InsertAsync(Silos.Entry(Silos.NewAddress()));

        Assert.False(await Table.InsertRow(Silos.Entry(Silos.NewAddress()), stale.Next()));

        var read = await Table.ReadAll();
        Assert.Equal(version, read.Version);
        Assert.Equal(first.SiloAddress, Assert.Single(read.Members).Entry.SiloAddress);
    }

    [Fact]
    public async Task Insert_of_an_existing_silo_returns_false_even_with_the_current_version()
    {
        var (entry, etag, version) = await InsertAsync(Silos.Entry(Silos.NewAddress()));

        Assert.False(await Table.InsertRow(entry with { Status = SiloStatus.Dead }, version.Next()));

        var read = await Table.ReadAll();
        Assert.Equal(version, read.Version);
        var (stored, storedEtag) = Assert.Single(read.Members);
        Assert.Equal(SiloStatus.Active, stored.Status);
        Assert.Equal(etag, storedEtag);
    }

    [Fact]
    public async Task Twenty_parallel_inserts_of_the_same_row_exactly_one_succeeds()
    {
        var views = new[] { Table, await OpenAsync(ClusterId), await OpenAsync(ClusterId) };
        var address = Silos.NewAddress();
        var version = (await Table.ReadAll()).Version.Next();
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await views[i % views.Length].InsertRow(Silos.Entry(address) with { SiloName = $"attempt-{i}" }, version);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(inserted => inserted));
        var read = await Table.ReadAll();
        Assert.Equal(1, read.Version.Version);
        var winner = results.ToList().IndexOf(true);
        Assert.Equal($"attempt-{winner}", Assert.Single(read.Members).Entry.SiloName);
    }

    [Fact]
    public async Task Parallel_inserts_of_different_rows_with_the_same_version_exactly_one_succeeds()
    {
        var version = (await Table.ReadAll()).Version.Next();
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await Table.InsertRow(Silos.Entry(Silos.NewAddress()), version);
        })).ToList();
        start.Set();

        Assert.Equal(1, (await Task.WhenAll(attempts)).Count(inserted => inserted));
        Assert.Single((await Table.ReadAll()).Members);
    }

    [Fact]
    public async Task Update_with_the_current_row_and_version_etags_succeeds_and_bumps_the_version()
    {
        var (entry, etag, version) = await InsertAsync(Silos.Entry(Silos.NewAddress(), SiloStatus.Joining));
        var updated = entry with { Status = SiloStatus.Active, IAmAliveTime = entry.IAmAliveTime.AddSeconds(3) };

        Assert.True(await Table.UpdateRow(updated, etag, version.Next()));

        var read = await Table.ReadAll();
        Assert.Equal(version.Version + 1, read.Version.Version);
        Assert.NotEqual(version.VersionEtag, read.Version.VersionEtag);
        var (stored, newEtag) = Assert.Single(read.Members);
        AssertSameEntry(updated, stored);
        Assert.NotEqual(etag, newEtag);
    }

    [Fact]
    public async Task Update_with_a_stale_row_etag_returns_false_and_changes_nothing()
    {
        var (entry, staleEtag, version) = await InsertAsync(Silos.Entry(Silos.NewAddress(), SiloStatus.Joining));
        Assert.True(await Table.UpdateRow(entry with { Status = SiloStatus.Active }, staleEtag, version.Next()));
        var current = await Table.ReadAll();

        Assert.False(await Table.UpdateRow(entry with { Status = SiloStatus.Dead }, staleEtag, current.Version.Next()));

        var read = await Table.ReadAll();
        Assert.Equal(current.Version, read.Version);
        Assert.Equal(SiloStatus.Active, Assert.Single(read.Members).Entry.Status);
    }

    [Fact]
    public async Task Update_with_a_stale_version_etag_returns_false_and_changes_nothing()
    {
        var (entry, etag, staleVersion) = await InsertAsync(Silos.Entry(Silos.NewAddress()));
        await InsertAsync(Silos.Entry(Silos.NewAddress()));
        var current = await Table.ReadAll();

        Assert.False(await Table.UpdateRow(entry with { Status = SiloStatus.Dead }, etag, staleVersion.Next()));

        var read = await Table.ReadAll();
        Assert.Equal(current.Version, read.Version);
        var row = Assert.Single((await Table.ReadRow(entry.SiloAddress)).Members);
        Assert.Equal(SiloStatus.Active, row.Entry.Status);
        Assert.Equal(etag, row.Etag);
    }

    [Fact]
    public async Task Update_of_a_missing_row_returns_false_and_inserts_nothing()
    {
        var version = (await Table.ReadAll()).Version;

        Assert.False(await Table.UpdateRow(Silos.Entry(Silos.NewAddress()), "no-such-etag", version.Next()));

        var read = await Table.ReadAll();
        Assert.Empty(read.Members);
        Assert.Equal(version, read.Version);
    }

    [Fact]
    public async Task Parallel_read_modify_update_loops_lose_no_update()
    {
        const int Tasks = 10;
        const int IncrementsPerTask = 10;
        var target = Silos.NewAddress();
        await InsertAsync(Silos.Entry(target));
        var views = new[] { Table, await OpenAsync(ClusterId) };
        var voters = Enumerable.Range(0, Tasks).Select(_ => Silos.NewAddress()).ToArray();
        var retries = 0;

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var table = views[t % views.Length];
            for (var i = 0; i < IncrementsPerTask; i++)
            {
                while (true)
                {
                    var read = await table.ReadRow(target);
                    var (entry, etag) = read.Members[0];
                    var vote = new SuspectVote(voters[t], new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i));
                    if (await table.UpdateRow(entry with { SuspectTimes = [.. entry.SuspectTimes, vote] }, etag, read.Version.Next()))
                    {
                        break;
                    }

                    Interlocked.Increment(ref retries);
                }
            }
        })));

        var final = await Table.ReadAll();
        Assert.Equal(1 + (Tasks * IncrementsPerTask), final.Version.Version);
        var votes = Assert.Single(final.Members).Entry.SuspectTimes;
        Assert.Equal(Tasks * IncrementsPerTask, votes.Count);
        Assert.All(voters, voter => Assert.Equal(IncrementsPerTask, votes.Count(v => v.Voter == voter)));
    }

    [Fact]
    public async Task UpdateIAmAlive_changes_only_the_i_am_alive_time_and_not_the_version()
    {
        var (entry, _, version) = await InsertAsync(Silos.Entry(Silos.NewAddress()));
        var later = entry.IAmAliveTime.AddSeconds(42.5);

        // Everything but the I-am-alive time in the argument is ignored.
        await Table.UpdateIAmAlive(entry with { IAmAliveTime = later, Status = SiloStatus.Dead, SiloName = "ignored" });

        var read = await Table.ReadAll();
        Assert.Equal(version, read.Version);
        var (stored, etag) = Assert.Single(read.Members);
        AssertSameEntry(entry with { IAmAliveTime = later }, stored);

        // The row etag read afterwards is the one to update with.
        Assert.True(await Table.UpdateRow(stored with { Status = SiloStatus.ShuttingDown }, etag, read.Version.Next()));
    }

    [Fact]
    public async Task UpdateIAmAlive_of_a_missing_row_creates_nothing()
    {
        var version = (await Table.ReadAll()).Version;

        await Table.UpdateIAmAlive(Silos.Entry(Silos.NewAddress()));

        var read = await Table.ReadAll();
        Assert.Empty(read.Members);
        Assert.Equal(version, read.Version);
    }

    [Fact]
    public async Task Cleanup_removes_only_rows_that_are_not_active_and_older_than_the_cutoff()
    {
        var cutoff = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var old = cutoff.AddHours(-1);
        var recent = cutoff.AddSeconds(1);
        var activeOld = Silos.Entry(Silos.NewAddress(), SiloStatus.Active, old);
        var deadOld = Silos.Entry(Silos.NewAddress(), SiloStatus.Dead, old);
        var deadRecent = Silos.Entry(Silos.NewAddress(), SiloStatus.Dead, recent);
        var deadAtCutoff = Silos.Entry(Silos.NewAddress(), SiloStatus.Dead, cutoff);
        var shuttingDownOld = Silos.Entry(Silos.NewAddress(), SiloStatus.ShuttingDown, old);
        var joiningOld = Silos.Entry(Silos.NewAddress(), SiloStatus.Joining, old);
        foreach (var entry in new[] { activeOld, deadOld, deadRecent, deadAtCutoff, shuttingDownOld, joiningOld })
        {
            await InsertAsync(entry);
        }

        var before = await Table.ReadAll();

        await Table.CleanupDefunctSiloEntries(cutoff);

        var after = await Table.ReadAll();
        Assert.Equal(
            new[] { activeOld.SiloAddress, deadRecent.SiloAddress, deadAtCutoff.SiloAddress }.Select(a => a.ToString()).Order(),
            after.Members.Select(m => m.Entry.SiloAddress.ToString()).Order());
        Assert.Equal(before.Version, after.Version);
        Assert.All(after.Members, m => Assert.Contains(before.Members, b => b.Etag == m.Etag));
    }

    [Fact]
    public async Task ReadRow_returns_just_that_row_with_the_etag_ReadAll_shows()
    {
        var first = Silos.NewAddress();
        var second = Silos.NewAddress();
        await InsertAsync(Silos.Entry(first));
        await InsertAsync(Silos.Entry(second, SiloStatus.Joining));

        var row = await Table.ReadRow(second);
        var all = await Table.ReadAll();

        var (entry, etag) = Assert.Single(row.Members);
        Assert.Equal(second, entry.SiloAddress);
        Assert.Equal(SiloStatus.Joining, entry.Status);
        Assert.Equal(all.Members.Single(m => m.Entry.SiloAddress == second).Etag, etag);
        Assert.Equal(all.Version, row.Version);
        Assert.Equal(2, all.Members.Count);
    }

    [Fact]
    public async Task Generations_of_the_same_endpoint_are_different_rows()
    {
        var old = Silos.NewAddress(generation: 100);
        var restarted = Silos.Restarted(old, generation: 200);
        await InsertAsync(Silos.Entry(old, SiloStatus.Dead));

        await InsertAsync(Silos.Entry(restarted, SiloStatus.Active));

        Assert.Equal(SiloStatus.Dead, Assert.Single((await Table.ReadRow(old)).Members).Entry.Status);
        Assert.Equal(SiloStatus.Active, Assert.Single((await Table.ReadRow(restarted)).Members).Entry.Status);
        Assert.Equal(2, (await Table.ReadAll()).Members.Count);
    }

    [Fact]
    public async Task Every_field_suspect_votes_and_ipv6_addresses_round_trip()
    {
        var address = new SiloAddress(new IPEndPoint(IPAddress.IPv6Loopback, 31000 + Random.Shared.Next(1000)), 123456789);
        var voterA = Silos.NewAddress(generation: 7);
        var voterB = new SiloAddress(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 11111), 8);
        var entry = Silos.Entry(address, SiloStatus.ShuttingDown) with
        {
            SiloName = "Zoë's silo ✓",
            HostName = "host.example",
            GatewayPort = 0,
            StartTime = new DateTimeOffset(2025, 2, 3, 4, 5, 6, 789, TimeSpan.FromHours(2)).AddTicks(1234),
            IAmAliveTime = new DateTimeOffset(2025, 2, 3, 5, 0, 0, TimeSpan.Zero).AddTicks(5678),
            SuspectTimes =
            [
                new SuspectVote(voterA, new DateTimeOffset(2025, 2, 3, 4, 59, 1, TimeSpan.Zero)),
                new SuspectVote(voterB, new DateTimeOffset(2025, 2, 3, 4, 59, 2, 500, TimeSpan.Zero)),
            ],
        };

        await InsertAsync(entry);

        var stored = Assert.Single((await Table.ReadAll()).Members).Entry;
        AssertSameEntry(entry, stored);
        Assert.Equal(entry.StartTime.UtcTicks, stored.StartTime.UtcTicks);
        Assert.Equal(entry.IAmAliveTime.UtcTicks, stored.IAmAliveTime.UtcTicks);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_empties_the_table_of_that_cluster_only()
    {
        var otherClusterId = ClusterId + "-other";
        var other = await OpenAsync(otherClusterId);
        var otherRead = await other.ReadAll();
        Assert.True(await other.InsertRow(Silos.Entry(Silos.NewAddress()), otherRead.Version.Next()));
        await InsertAsync(Silos.Entry(Silos.NewAddress()));
        await InsertAsync(Silos.Entry(Silos.NewAddress()));

        await Table.DeleteMembershipTableEntries(ClusterId);

        var read = await Table.ReadAll();
        Assert.Empty(read.Members);
        Assert.Equal(0, read.Version.Version);
        Assert.Single((await other.ReadAll()).Members);

        // The emptied table works like a new one.
        await Table.InitializeMembershipTable(tryInitTableVersion: true);
        Assert.True(await Table.InsertRow(Silos.Entry(Silos.NewAddress()), (await Table.ReadAll()).Version.Next()));
    }

    [Fact]
    public async Task Tables_of_different_clusters_are_independent()
    {
        var other = await OpenAsync(ClusterId + "-b");
        var address = Silos.NewAddress();

        await InsertAsync(Silos.Entry(address));

        var otherRead = await other.ReadAll();
        Assert.Empty(otherRead.Members);
        Assert.Equal(0, otherRead.Version.Version);
        Assert.True(await other.InsertRow(Silos.Entry(address, SiloStatus.Joining), otherRead.Version.Next()));
        Assert.Equal(SiloStatus.Active, Assert.Single((await Table.ReadAll()).Members).Entry.Status);
    }
}
