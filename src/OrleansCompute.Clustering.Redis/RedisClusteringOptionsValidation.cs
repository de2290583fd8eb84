using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;
using OrleansCompute.Redis;

namespace OrleansCompute.Clustering.Redis;

/// <summary>The checks behind start-up validation and the providers' constructors.</summary>
internal sealed class RedisClusteringOptionsValidation : IValidateOptions<RedisClusteringOptions>, IValidateOptions<RedisGrainDirectoryOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisClusteringOptions options)
        => Result(Check(nameof(RedisClusteringOptions), options.ConnectionString, options.Database, options.OperationTimeout));

    public ValidateOptionsResult Validate(string? name, RedisGrainDirectoryOptions options)
        => Result(Check(nameof(RedisGrainDirectoryOptions), options.ConnectionString, options.Database, options.OperationTimeout));

    /// <summary>The first problem with the settings, or null.</summary>
    public static string? Check(string optionsName, string? connectionString, int database, TimeSpan operationTimeout)
    {
        if (!RedisConnection.IsValidConnectionString(connectionString))
        {
            return $"{optionsName}.ConnectionString is required and must be a StackExchange.Redis configuration string "
                + "with at least one endpoint (for example '127.0.0.1:6379').";
        }

        if (database < -1)
        {
            return $"{optionsName}.Database must be -1 (the server's default) or a database number.";
        }

        if (operationTimeout <= TimeSpan.Zero || operationTimeout.TotalMilliseconds > int.MaxValue)
        {
            return $"{optionsName}.OperationTimeout must be positive.";
        }

        return null;
    }

    /// <summary>The key prefix <c>{serviceId}/{clusterId}/</c> after checking both ids are set.</summary>
    public static string KeyPrefix(SiloOptions silo)
    {
        if (string.IsNullOrWhiteSpace(silo.ServiceId) || string.IsNullOrWhiteSpace(silo.ClusterId))
        {
            throw new ArgumentException("SiloOptions.ServiceId and SiloOptions.ClusterId are required: they prefix every Redis key.", nameof(silo));
        }

        return RedisKeyFormat.Join(silo.ServiceId, silo.ClusterId) + "/";
    }

    public static void ThrowIfInvalid(string? problem)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }
    }

    private static ValidateOptionsResult Result(string? problem) => problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
}
