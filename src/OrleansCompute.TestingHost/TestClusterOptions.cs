namespace OrleansCompute.TestingHost;

/// <summary>Settings of a <see cref="TestCluster"/>.</summary>
public sealed class TestClusterOptions
{
    /// <summary>Silos started by <see cref="TestCluster.DeployAsync"/>. Default 2.</summary>
    public int InitialSilosCount { get; set; } = 2;

    /// <summary>Default: a fresh id per cluster, so parallel test clusters never meet.</summary>
    public string ClusterId { get; set; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    public string ServiceId { get; set; } = "testservice";

    /// <summary>Extra configuration for every silo (e.g. <c>OrleansCompute:Membership:ProbeInterval</c>).</summary>
    public Dictionary<string, string?> Configuration { get; } = [];
}
