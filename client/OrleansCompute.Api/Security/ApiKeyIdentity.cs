namespace OrleansCompute.Api.Security;

/// <summary>
/// The configured key a request was validated with, set as a request feature by the API-key middleware: the rate limiter
/// buckets by it. Only the key's position in <c>OrleansCompute:Api:ApiKeys</c> is kept, never the key.
/// </summary>
public sealed class ApiKeyIdentity
{
    internal ApiKeyIdentity(int index) => Index = index;

    /// <summary>0-based position of the key in <c>OrleansCompute:Api:ApiKeys</c>.</summary>
    public int Index { get; }

    public override string ToString() => $"API key #{Index + 1}";
}
