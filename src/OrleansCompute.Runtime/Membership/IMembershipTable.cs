using OrleansCompute.Runtime;

namespace OrleansCompute.Membership;

/// <summary>
/// Cluster membership storage (Orleans's <c>IMembershipTable</c> contract). Every implementation passes
/// the membership conformance suite:
/// <list type="bullet">
/// <item>An empty table reads as version 0 with no rows (its version etag is whatever the implementation uses for
/// "never written"; inserting with that etag succeeds).</item>
/// <item><see cref="InsertRow"/> succeeds only if no row for that silo address exists and
/// the given table version's etag matches the stored version's etag; it then stores the row and the new version.</item>
/// <item><see cref="UpdateRow"/> succeeds only if the row's etag equals <c>etag</c> and the table version etag matches.</item>
/// <item>Concurrent inserts/updates presenting the same version: exactly one succeeds; the rest return false (no exception).</item>
/// <item><see cref="UpdateIAmAlive"/> changes only the row's I-am-alive time and never the table version (the row etag may change);
/// it does not create a missing row.</item>
/// <item><see cref="CleanupDefunctSiloEntries"/> removes rows that are not Active and whose I-am-alive is older than the given time,
/// without changing the table version.</item>
/// </list>
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates storage if missing; when <paramref name="tryInitTableVersion"/>, writes version 0 if no version exists.</summary>
    Task InitializeMembershipTable(bool tryInitTableVersion, CancellationToken cancellationToken = default);

    Task<MembershipTableData> ReadRow(SiloAddress key, CancellationToken cancellationToken = default);

    Task<MembershipTableData> ReadAll(CancellationToken cancellationToken = default);

    Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default);

    Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default);

    Task UpdateIAmAlive(MembershipEntry entry, CancellationToken cancellationToken = default);

    Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate, CancellationToken cancellationToken = default);

    /// <summary>Deletes the whole table for this cluster (tests and tooling).</summary>
    Task DeleteMembershipTableEntries(string clusterId, CancellationToken cancellationToken = default);
}
