using System.Globalization;
using OrleansCompute.Runtime;

namespace OrleansCompute.Membership;

/// <summary>
/// An in-process <see cref="IMembershipTable"/> for a single silo or the silos of one in-process test cluster:
/// share one instance between all silos of a cluster (state lives in the instance and is lost with the process).
/// </summary>
/// <remarks>
/// Every operation takes one lock, so each is atomic and the compare-and-set rules of the contract hold under any
/// concurrency. Row and version etags come from one per-instance counter, so an etag is never reused, not even
/// after <see cref="DeleteMembershipTableEntries"/>. The version of a table that was never written (or was deleted)
/// is version 0 with etag <see cref="InitialVersionEtag"/>.
/// </remarks>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    /// <summary>The etag of version 0 of a table that has never been written.</summary>
    public const string InitialVersionEtag = "0";

    private readonly Lock _lock = new();
    private readonly Dictionary<SiloAddress, Row> _rows = [];
    private TableVersion _version = new(0, InitialVersionEtag);
    private long _lastEtag;

    /// <param name="clusterId">
    /// The cluster this table belongs to; <see cref="DeleteMembershipTableEntries"/> empties the table only for this id.
    /// Null (the default) means "whatever cluster asks": any cluster id empties it.
    /// </param>
    public InMemoryMembershipTable(string? clusterId = null)
    {
        ClusterId = clusterId;
    }

    /// <summary>The cluster id given at construction (null: not tied to one).</summary>
    public string? ClusterId { get; }

    public Task InitializeMembershipTable(bool tryInitTableVersion, CancellationToken cancellationToken = default)
    {
        // The version of an empty table is already 0; there is no storage to create.
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<(MembershipEntry, string)> members = _rows.TryGetValue(key, out var row) ? [(row.Entry, row.Etag)] : [];
            return Task.FromResult(new MembershipTableData(members, _version));
        }
    }

    public Task<MembershipTableData> ReadAll(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var members = new List<(MembershipEntry, string)>(_rows.Count);
            foreach (var row in _rows.Values)
            {
                members.Add((row.Entry, row.Etag));
            }

            return Task.FromResult(new MembershipTableData(members, _version));
        }
    }

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!VersionMatches(tableVersion) || _rows.ContainsKey(entry.SiloAddress))
            {
                return Task.FromResult(false);
            }

            _rows[entry.SiloAddress] = new Row(entry, NextEtag());
            _version = new TableVersion(tableVersion.Version, NextEtag());
            return Task.FromResult(true);
        }
    }

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(etag);
        ArgumentNullException.ThrowIfNull(tableVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!VersionMatches(tableVersion)
                || !_rows.TryGetValue(entry.SiloAddress, out var row)
                || !string.Equals(row.Etag, etag, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            _rows[entry.SiloAddress] = new Row(entry, NextEtag());
            _version = new TableVersion(tableVersion.Version, NextEtag());
            return Task.FromResult(true);
        }
    }

    public Task UpdateIAmAlive(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // A missing row is not recreated: only InsertRow adds rows (under the version check).
            if (_rows.TryGetValue(entry.SiloAddress, out var row))
            {
                _rows[entry.SiloAddress] = new Row(row.Entry with { IAmAliveTime = entry.IAmAliveTime }, NextEtag());
            }
        }

        return Task.CompletedTask;
    }

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            List<SiloAddress>? defunct = null;
            foreach (var (address, row) in _rows)
            {
                if (MembershipRules.IsDefunct(row.Entry, beforeDate))
                {
                    (defunct ??= []).Add(address);
                }
            }

            if (defunct is not null)
            {
                foreach (var address in defunct)
                {
                    _rows.Remove(address);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task DeleteMembershipTableEntries(string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clusterId);
        cancellationToken.ThrowIfCancellationRequested();
        if (ClusterId is not null && !string.Equals(ClusterId, clusterId, StringComparison.Ordinal))
        {
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            _rows.Clear();
            _version = new TableVersion(0, InitialVersionEtag);
        }

        return Task.CompletedTask;
    }

    private bool VersionMatches(TableVersion tableVersion) => string.Equals(_version.VersionEtag, tableVersion.VersionEtag, StringComparison.Ordinal);

    // Called under the lock; the "m" keeps these visibly distinct from the initial "0".
    private string NextEtag() => "m" + (++_lastEtag).ToString(CultureInfo.InvariantCulture);

    private sealed record Row(MembershipEntry Entry, string Etag);
}
