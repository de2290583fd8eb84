namespace OrleansCompute.Membership;

/// <summary>
/// The membership table's version: every insert or update that changes membership writes
/// <c>Version + 1</c> and must present the <see cref="VersionEtag"/> it read (compare-and-set).
/// </summary>
public sealed record TableVersion(int Version, string VersionEtag)
{
    /// <summary>The version to write next, carrying the etag of the version it was computed from.</summary>
    public TableVersion Next() => this with { Version = Version + 1 };
}
