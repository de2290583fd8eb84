using OrleansCompute.Redis;

namespace OrleansCompute.Storage;

/// <summary>The checks behind both start-up validation (named options) and the provider's constructor.</summary>
internal static class RedisGrainStorageOptionsValidation
{
    /// <summary>The first problem with <paramref name="options"/> of provider <paramref name="name"/>, or null.</summary>
    public static string? Check(RedisGrainStorageOptions options, string name)
    {
        if (!RedisConnection.IsValidConnectionString(options.ConnectionString))
        {
            return $"{nameof(RedisGrainStorageOptions)}.{nameof(RedisGrainStorageOptions.ConnectionString)} is required for Redis grain storage '{name}': "
                + "set it to a StackExchange.Redis configuration string with at least one endpoint (for example '127.0.0.1:6379').";
        }

        if (options.Database < -1)
        {
            return $"{nameof(RedisGrainStorageOptions)}.{nameof(RedisGrainStorageOptions.Database)} of Redis grain storage '{name}' must be -1 (the server's default) or a database number.";
        }

        if (options.OperationTimeout <= TimeSpan.Zero || options.OperationTimeout.TotalMilliseconds > int.MaxValue)
        {
            return $"{nameof(RedisGrainStorageOptions)}.{nameof(RedisGrainStorageOptions.OperationTimeout)} of Redis grain storage '{name}' must be positive.";
        }

        return null;
    }
}
