using Microsoft.Extensions.Hosting;

namespace OrleansCompute.Storage;

/// <summary>Opens a DI-registered SQLite provider's database at host start-up, so a bad path fails the start, not the first grain.</summary>
internal sealed class SqliteGrainStorageInitializer(IGrainStorage storage) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
        => storage is SqliteGrainStorage sqlite ? sqlite.InitializeAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
