using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Conformance;

public sealed class SqliteGrainStorageConformanceTests : GrainStorageConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override Task<IGrainStorage> CreateStorageAsync()
        => Task.FromResult<IGrainStorage>(new SqliteGrainStorage(
            "sqlite-conformance",
            new SqliteGrainStorageOptions { DatabasePath = _folder.File("grains.db") },
            new JsonGrainStorageSerializer()));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    public void Dispose() => _folder.Dispose();
}
