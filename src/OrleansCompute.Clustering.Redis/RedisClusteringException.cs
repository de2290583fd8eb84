namespace OrleansCompute.Clustering.Redis;

/// <summary>
/// A Redis membership table or grain directory operation failed: Redis was unreachable, did not answer within the
/// operation timeout, or returned an error. The message names the provider, the operation and the Redis endpoint;
/// the cause is the inner exception. A timed-out write may or may not have been applied.
/// </summary>
public sealed class RedisClusteringException : Exception
{
    public RedisClusteringException(string message) : base(message)
    {
    }

    public RedisClusteringException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
