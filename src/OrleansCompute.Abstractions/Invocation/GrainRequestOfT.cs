using System.Threading.Tasks.Sources;
using OrleansCompute.Serialization;

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

    public override void OnCompleted(Action<object?> continuation, object? state) =>
        _core.OnCompleted(continuation, state, _core.Version, ValueTaskSourceOnCompletedFlags.None);

    public override void WriteResponse(ref Writer writer)
    {
        TResult result;
        try
        {
            result = _core.GetResult(_core.Version);
        }
        catch (Exception ex)
        {
            Codec<Exception>.Instance.WriteField(ref writer, ExceptionFieldId, ex);
            return;
        }

        try
        {
            Codec<TResult>.Instance.WriteField(ref writer, ResultFieldId, result);
        }
        catch (Exception ex) when (ex is SerializerException or CodecNotFoundException)
        {
            Codec<Exception>.Instance.WriteField(ref writer, ExceptionFieldId, new SerializerException(
                $"The result of {this} could not be serialized: {ex.Message}"));
        }
    }

    public override void CompleteFromResponse(ref Reader reader)
    {
        while (reader.TryReadField(out var field))
        {
            switch (field.Id)
            {
                case ResultFieldId:
                    TrySetResult(Codec<TResult>.Instance.ReadValue(ref reader, field));
                    return;
                case ExceptionFieldId:
                    TrySetException(Codec<Exception>.Instance.ReadValue(ref reader, field) ?? new RemoteException("(null)", "The remote call failed without an exception.", null));
                    return;
                default:
                    reader.SkipField(field);
                    break;
            }
        }

        TrySetException(new SerializerException($"The response to {this} carried neither a result nor an exception."));
    }

    private const uint ResultFieldId = 1;
    private const uint ExceptionFieldId = 2;

    TResult IValueTaskSource<TResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<TResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<TResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
