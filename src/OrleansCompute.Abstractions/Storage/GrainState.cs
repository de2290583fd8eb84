namespace OrleansCompute.Storage;

/// <summary>The default <see cref="IGrainState{T}"/>.</summary>
public sealed class GrainState<T> : IGrainState<T>
{
    public GrainState(T state, string? eTag = null)
    {
        State = state;
        ETag = eTag;
    }

    public T State { get; set; }

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}
