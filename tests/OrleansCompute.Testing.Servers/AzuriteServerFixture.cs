using Xunit;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// One <see cref="AzuriteServer"/> shared by the tests of one assembly. Each test project declares
/// <c>[CollectionDefinition(AzuriteServerFixture.CollectionName)] public sealed class AzuriteCollection : ICollectionFixture&lt;AzuriteServerFixture&gt;;</c>
/// and its Azurite test classes take the fixture under <c>[Collection(AzuriteServerFixture.CollectionName)]</c>.
/// Tests sharing the server use fresh container or blob names.
/// </summary>
public sealed class AzuriteServerFixture : IAsyncLifetime
{
    /// <summary>The collection name test classes use with <c>[Collection]</c>.</summary>
    public const string CollectionName = "azurite";

    private AzuriteServer? _server;

    /// <summary>The running server.</summary>
    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite is started in InitializeAsync.");

    /// <summary>A connection string for the shared server.</summary>
    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
