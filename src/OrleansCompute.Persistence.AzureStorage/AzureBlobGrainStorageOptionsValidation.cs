using OrleansCompute.Blobs;

namespace OrleansCompute.Storage;

/// <summary>The checks behind both start-up validation (named options) and the provider's constructor.</summary>
internal static class AzureBlobGrainStorageOptionsValidation
{
    /// <summary>The first problem with <paramref name="options"/> of provider <paramref name="name"/>, or null.</summary>
    public static string? Check(AzureBlobGrainStorageOptions options, string name)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return $"{nameof(AzureBlobGrainStorageOptions)}.{nameof(AzureBlobGrainStorageOptions.ConnectionString)} is required for Azure Blob grain storage '{name}': "
                + "use 'UseDevelopmentStorage=true' for Azurite or 'DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>;EndpointSuffix=core.windows.net'.";
        }

        if (!BlobConnectionString.TryParse(options.ConnectionString, out _, out var problem))
        {
            return $"{nameof(AzureBlobGrainStorageOptions)}.{nameof(AzureBlobGrainStorageOptions.ConnectionString)} of Azure Blob grain storage '{name}' is invalid: {problem}";
        }

        if (!BlobRestClient.IsValidContainerName(options.ContainerName))
        {
            return $"{nameof(AzureBlobGrainStorageOptions)}.{nameof(AzureBlobGrainStorageOptions.ContainerName)} of Azure Blob grain storage '{name}' is '{options.ContainerName}', "
                + "which is not a container name (3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).";
        }

        if (ToRetry(options).Check() is { } retryProblem)
        {
            return $"Retry settings of Azure Blob grain storage '{name}': {retryProblem}";
        }

        return null;
    }

    public static BlobRetryOptions ToRetry(AzureBlobGrainStorageOptions options) => new()
    {
        MaxAttempts = options.MaxAttempts,
        InitialDelay = options.InitialRetryDelay,
        MaxDelay = TimeSpan.FromSeconds(Math.Max(5, options.InitialRetryDelay.TotalSeconds)),
        AttemptTimeout = options.AttemptTimeout,
    };
}
