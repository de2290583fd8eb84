namespace OrleansCompute.Membership;

/// <summary>A silo's status in the membership table (Orleans's values).</summary>
public enum SiloStatus
{
    None = 0,
    /// <summary>Process created, not yet joining.</summary>
    Created = 1,
    /// <summary>Joining: validating connectivity before serving.</summary>
    Joining = 2,
    /// <summary>Serving.</summary>
    Active = 3,
    /// <summary>Graceful shutdown started.</summary>
    ShuttingDown = 4,
    /// <summary>Stopping (graceful or not).</summary>
    Stopping = 5,
    /// <summary>Declared dead; a dead entry is never revived (a restart is a new generation).</summary>
    Dead = 6,
}
