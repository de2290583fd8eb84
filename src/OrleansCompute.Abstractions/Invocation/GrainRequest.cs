using OrleansCompute.Runtime;

namespace OrleansCompute.Invocation;

/// <summary>
/// One call to one grain interface method: the arguments plus the promise of the response.
/// The code generator emits a sealed subclass per method; the runtime queues, executes and
/// completes it. A request is used for exactly one call.
/// </summary>
public abstract class GrainRequest
{
    /// <summary>The grain interface that declares the method.</summary>
    public abstract Type InterfaceType { get; }

    /// <summary>The method's name.</summary>
    public abstract string MethodName { get; }

    /// <summary>Flags from method attributes.</summary>
    public virtual InvokeMethodOptions Options => InvokeMethodOptions.None;

    /// <summary>A per-method <c>[ResponseTimeout]</c>, or null for the runtime default.</summary>
    public virtual TimeSpan? ResponseTimeout => null;

    /// <summary>The <see cref="CancellationToken"/> argument when the method's last parameter is one.</summary>
    public virtual CancellationToken CancellationToken => default;

    /// <summary>Number of arguments (for call filters and diagnostics).</summary>
    public abstract int ArgumentCount { get; }

    /// <summary>Reads an argument boxed (call filters; not used on the fast path).</summary>
    public abstract object? GetArgument(int index);

    /// <summary>Replaces an argument (call filters).</summary>
    public abstract void SetArgument(int index, object? value);

    /// <summary>Runtime bookkeeping: when the request entered the target's queue (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long EnqueuedTimestamp { get; set; }

    /// <summary>Runtime bookkeeping: the caller's grain, when a grain made the call.</summary>
    public GrainId SourceId { get; set; }

    /// <summary>True once a result or exception has been set.</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>The method's stable wire name: declaring interface, method name and parameter types (generated).</summary>
    public virtual string RequestKey => throw new NotSupportedException($"{GetType().Name} cannot cross the wire.");

    /// <summary>Writes the arguments as fields 0..n (generated; a CancellationToken is not sent).</summary>
    public virtual void WriteArguments(ref Serialization.Writer writer)
    {
    }

    /// <summary>Reads what <see cref="WriteArguments"/> wrote, skipping unknown fields (generated).</summary>
    public virtual void ReadArguments(ref Serialization.Reader reader)
    {
        while (reader.TryReadField(out var field))
        {
            reader.SkipField(field);
        }
    }

    /// <summary>Gives a request that arrived over the wire the token the receiving silo cancels for it (generated).</summary>
    public virtual void SetCancellationToken(CancellationToken cancellationToken)
    {
    }

    /// <summary>Runs <paramref name="continuation"/> once the request completes (used to send remote responses).</summary>
    public abstract void OnCompleted(Action<object?> continuation, object? state);

    /// <summary>After completion: writes the response (field 1 = result, field 2 = exception).</summary>
    public abstract void WriteResponse(ref Serialization.Writer writer);

    /// <summary>Completes the request from a response read off the wire.</summary>
    public abstract void CompleteFromResponse(ref Serialization.Reader reader);

    /// <summary>Dispatches to <see cref="IGrainRequestExecutor.ExecuteAsync{TResult}"/> with the result type known.</summary>
    public abstract ValueTask ExecuteAsync(IGrainRequestExecutor executor, object target);

    /// <summary>Completes the call with an exception unless it already completed.</summary>
    public abstract bool TrySetException(Exception exception);

    public override string ToString() => $"{InterfaceType.Name}.{MethodName}";

    /// <summary>Throws the standard error for a bad argument index.</summary>
    protected static ArgumentOutOfRangeException BadArgumentIndex(int index) =>
        new(nameof(index), index, "No argument at this index.");
}
