using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansCompute.Invocation;

namespace OrleansCompute.Messaging;

/// <summary>
/// Runs a request against a grain inside the activation's turn and completes the caller's promise,
/// through the incoming call filters when there are any. No reflection: the generated request
/// calls the grain method directly.
/// </summary>
internal sealed partial class RequestExecutor(IServiceProvider services, ILogger<RequestExecutor> logger) : IGrainRequestExecutor
{
    private IIncomingGrainCallFilter[]? _filters;

    private IIncomingGrainCallFilter[] Filters => _filters ??= [.. services.GetServices<IIncomingGrainCallFilter>()];

    public ValueTask ExecuteAsync<TResult>(GrainRequest<TResult> request, object target)
    {
        if (Filters.Length > 0 || target is IIncomingGrainCallFilter)
        {
            return ExecuteWithFiltersAsync(request, target);
        }

        ValueTask<TResult> pending;
        try
        {
            pending = request.InvokeAsync(target);
        }
        catch (Exception ex)
        {
            Fail(request, ex);
            return default;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Succeed(request, pending.Result);
            return default;
        }

        return AwaitAsync(request, pending);
    }

    private async ValueTask AwaitAsync<TResult>(GrainRequest<TResult> request, ValueTask<TResult> pending)
    {
        TResult result;
        try
        {
            result = await pending;
        }
        catch (Exception ex)
        {
            Fail(request, ex);
            return;
        }

        Succeed(request, result);
    }

    private async ValueTask ExecuteWithFiltersAsync<TResult>(GrainRequest<TResult> request, object target)
    {
        var context = new IncomingCallContext<TResult>(request, target, Filters);
        try
        {
            await context.Invoke();
        }
        catch (Exception ex)
        {
            Fail(request, ex);
            return;
        }

        Succeed(request, context.TypedResult);
    }

    private static void Succeed<TResult>(GrainRequest<TResult> request, TResult result)
    {
        // The caller's continuation may run inline here: it must not see the grain's context.
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            request.TrySetResult(result);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    private void Fail(GrainRequest request, Exception exception)
    {
        if ((request.Options & InvokeMethodOptions.OneWay) != 0)
        {
            LogOneWayFailed(logger, exception, request.ToString());
        }

        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            request.TrySetException(exception);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "One-way call {Request} failed")]
    private static partial void LogOneWayFailed(ILogger logger, Exception exception, string request);
}
