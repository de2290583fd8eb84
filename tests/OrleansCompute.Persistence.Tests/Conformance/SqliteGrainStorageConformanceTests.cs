using Orleans.Storage;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Conformance;

public sealed class SqliteGrainStorageConformanceTests : GrainStorageConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override Task<IGrainStorage> CreateStorageAsync()
        => Task.FromResult<IGrainStorage>(TestStorage.CreateSqlite(
            "sqlite-conformance",
            new SqliteGrainStorageOptions { DatabasePath = _folder.File("grains.db") }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    public void Dispose() => _folder.Dispose();
}
