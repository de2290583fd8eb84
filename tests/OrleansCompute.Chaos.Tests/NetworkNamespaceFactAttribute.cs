using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// A fact that needs Linux network namespaces (root, iproute2): skipped, with the reason, where they cannot be made.
/// The check runs once, when tests are discovered.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetworkNamespaceFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_unsupported = new(NetworkLab.ProbeSupport);

    public NetworkNamespaceFactAttribute()
    {
        if (s_unsupported.Value is { } reason)
        {
            Skip = $"Network-partition test skipped: {reason}.";
        }
    }
}
