namespace OrleansCompute.Membership;

/// <summary>A read of the table: rows with their row etags, plus the table version.</summary>
public sealed record MembershipTableData(IReadOnlyList<(MembershipEntry Entry, string Etag)> Members, TableVersion Version);
