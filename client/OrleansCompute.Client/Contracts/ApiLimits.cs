namespace OrleansCompute.Client.Contracts;

/// <summary>Limits the API enforces, shared with clients so they can refuse the same values up front.</summary>
public static class ApiLimits
{
    /// <summary>Largest <c>k</c> of <c>GET /api/datasets/{dataset}/top</c>.</summary>
    public const int MaxDatasetTopK = 1000;
}
