namespace OrleansCompute.Client.Contracts;

/// <summary>Answer of <c>GET /health/live</c> and <c>GET /health/ready</c> (when ready; otherwise a 503 problem).</summary>
public sealed class HealthView
{
    /// <summary><c>live</c> or <c>ready</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>The silo answering (co-hosted API) or <c>client</c> (standalone API host).</summary>
    public string Node { get; set; } = "";

    /// <summary>What was checked, e.g. <c>cluster: joined</c>, <c>storage: round-trip 2 ms</c>.</summary>
    public List<string> Checks { get; set; } = [];
}
