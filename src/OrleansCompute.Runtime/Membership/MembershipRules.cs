namespace OrleansCompute.Membership;

/// <summary>Rules every <see cref="IMembershipTable"/> implementation shares, so they cannot drift apart.</summary>
public static class MembershipRules
{
    /// <summary>
    /// Whether <see cref="IMembershipTable.CleanupDefunctSiloEntries"/> removes <paramref name="entry"/>:
    /// it is not <see cref="SiloStatus.Active"/> and its I-am-alive time is older than <paramref name="beforeDate"/>.
    /// </summary>
    public static bool IsDefunct(MembershipEntry entry, DateTimeOffset beforeDate)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Status != SiloStatus.Active && entry.IAmAliveTime < beforeDate;
    }
}
