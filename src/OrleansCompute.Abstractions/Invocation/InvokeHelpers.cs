namespace OrleansCompute.Invocation;

/// <summary>Adapters between the task shapes of grain methods and <see cref="ValueTask{TResult}"/>; used by generated code.</summary>
public static class InvokeHelpers
{
    public static ValueTask<VoidResult> FromTask(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompletedSuccessfully ? default : AwaitTask(task);
    }

    public static ValueTask<TResult> FromTask<TResult>(Task<TResult> task) => new(task);

    public static ValueTask<VoidResult> FromValueTask(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return default;
        }

        return AwaitValueTask(task);
    }

    public static ValueTask<TResult> FromValueTask<TResult>(ValueTask<TResult> task) => task;

    /// <summary>For proxies of methods returning <see cref="Task"/>.</summary>
    public static Task ToTask(ValueTask<VoidResult> response) =>
        response.IsCompletedSuccessfully ? Task.CompletedTask : response.AsTask();

    /// <summary>For proxies of methods returning <see cref="ValueTask"/>.</summary>
    public static ValueTask ToValueTask(ValueTask<VoidResult> response) =>
        response.IsCompletedSuccessfully ? default : new ValueTask(response.AsTask());

    private static async ValueTask<VoidResult> AwaitTask(Task task)
    {
        await task;
        return default;
    }

    private static async ValueTask<VoidResult> AwaitValueTask(ValueTask task)
    {
        await task;
        return default;
    }
}
