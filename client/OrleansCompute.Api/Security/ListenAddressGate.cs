using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace OrleansCompute.Api.Security;

/// <summary>
/// The outermost middleware (a startup filter registered before any other): while <see cref="ListenAddressGuard"/> has not
/// decided, a request waits; once it passed, requests go on (one volatile read each); if it failed, the connection is
/// aborted without a response.
/// </summary>
internal sealed class ListenAddressGate(ListenAddressGuard guard) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(Gate);
        next(app);
    };

    private RequestDelegate Gate(RequestDelegate next) => context => guard.IsOpen ? next(context) : WaitAsync(context, next);

    private async Task WaitAsync(HttpContext context, RequestDelegate next)
    {
        bool open;
        try
        {
            open = await guard.Decision.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the client gave up
        }

        if (open)
        {
            await next(context).ConfigureAwait(false);
        }
        else
        {
            context.Abort();
        }
    }
}
