using Microsoft.Extensions.Hosting;

namespace OrleansCompute.Storage;

/// <summary>
/// Creates a DI-registered Azure Blob provider's container (if missing) at host start-up, so a wrong key (403), an
/// unreachable endpoint or a bad container fails the start with the reason, not the first grain.
/// </summary>
internal sealed class AzureBlobGrainStorageInitializer(IGrainStorage storage) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (storage is not AzureBlobGrainStorage azure)
        {
            return;
        }

        try
        {
            await azure.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Blobs.BlobRequestException ex)
        {
            throw new InvalidOperationException($"Azure Blob grain storage '{azure.Name}' could not prepare container '{azure.ContainerName}': {ex.Message}", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
