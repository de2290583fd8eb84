namespace OrleansCompute.Storage;

/// <summary>State plus the metadata a storage provider reads and writes.</summary>
public interface IGrainState<T>
{
    T State { get; set; }

    /// <summary>Version tag: null means "no record expected"; providers set it on every read and write.</summary>
    string? ETag { get; set; }

    /// <summary>Set by providers: whether a record exists.</summary>
    bool RecordExists { get; set; }
}
