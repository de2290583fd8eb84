using System.Net.Sockets;

namespace OrleansCompute.Silo;

/// <summary>Turns an exception that stopped start-up into the one line a user needs.</summary>
internal static class StartupFailure
{
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        // Orleans wraps a failed lifecycle stage (OrleansLifecycleCanceledException, AggregateException): the innermost
        // exception names the cause.
        var cause = exception;
        while (cause.InnerException is { } inner && (cause is AggregateException || cause.GetType().Name.Contains("Lifecycle", StringComparison.Ordinal)))
        {
            cause = inner;
        }

        if (FindSocketError(exception) is { SocketErrorCode: SocketError.AddressAlreadyInUse } socket)
        {
            return $"{socket.Message}: a port this silo listens on is taken (set OrleansCompute:Endpoints:SiloPort and GatewayPort to free ports; "
                + "each silo on one machine needs its own).";
        }

        return cause.Message;
    }

    private static SocketException? FindSocketError(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindSocketError(inner) is { } found)
                    {
                        return found;
                    }
                }
            }
        }

        return null;
    }
}
