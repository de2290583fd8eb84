using System.Net;
using System.Net.Sockets;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// Free TCP ports on 127.0.0.1 for servers a test is about to start (Orleans silo and gateway ports, HTTP APIs): each
/// is bound to port 0 and released, all at once so the ports handed out are distinct. Orleans advertises the ports it
/// is given, so silos need real numbers (0 is not accepted for a silo port).
/// </summary>
public static class LoopbackPorts
{
    public static int[] Allocate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var listeners = new TcpListener[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
            }
        }
    }

    public static int Allocate() => Allocate(1)[0];
}
