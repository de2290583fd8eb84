using System.Threading.Tasks.Sources;

namespace OrleansCompute.Invocation;

/// <summary>
/// A request whose response is a <typeparamref name="TResult"/>. The request object is itself the
/// awaitable promise (an <see cref="IValueTaskSource{TResult}"/>), so a call allocates one object
/// for arguments and response together.
/// </summary>
public abstract class GrainRequest<TResult> : GrainRequest, IValueTaskSource<TResult>
{
    private ManualResetValueTaskSourceCore<TResult> _core;
    private int _completed;

    /// <summary>Calls the method on <paramref name="target"/> (generated).</summary>
    public abstract ValueTask<TResult> InvokeAsync(object target);

    public override bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public override ValueTask ExecuteAsync(IGrainRequestExecutor executor, object target)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.ExecuteAsync(this, target);
    }

    /// <summary>The caller's view of the response. Await it once.</summary>
    public ValueTask<TResult> AsValueTask() => new(this, _core.Version);

    public bool TrySetResult(TResult result)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        _core.SetResult(result);
        return true;
    }

    public override bool TrySetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        _core.SetException(exception);
        return true;
    }

    /// <summary>A copy with the same arguments and a fresh, uncompleted promise (used when call filters
    /// sit between the caller's promise and the one sent to the grain).</summary>
    public GrainRequest<TResult> CloneForDispatch()
    {
        var copy = (GrainRequest<TResult>)MemberwiseClone();
        copy._core = default;
        copy._completed = 0;
        return copy;
    }

    TResult IValueTaskSource<TResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<TResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<TResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
