namespace OrleansCompute.Storage;

/// <summary>How hard SQLite works to get each commit onto disk (<c>PRAGMA synchronous</c>), in WAL mode.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>
    /// <c>synchronous=NORMAL</c>: a committed write survives the process being killed (even <c>kill -9</c>);
    /// a power loss or OS crash may lose the last few commits, never corrupt the database. Fastest durable choice.
    /// </summary>
    Normal = 0,

    /// <summary><c>synchronous=FULL</c>: every commit is fsynced, so it also survives a power loss or OS crash. Slower writes.</summary>
    Full = 1,
}
