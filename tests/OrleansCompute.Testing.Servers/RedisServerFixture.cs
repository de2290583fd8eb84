using Xunit;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// One <see cref="RedisServer"/> shared by the tests of one assembly. xunit only finds collection definitions in the
/// test assembly itself, so each test project declares
/// <c>[CollectionDefinition(RedisServerFixture.CollectionName)] public sealed class RedisCollection : ICollectionFixture&lt;RedisServerFixture&gt;;</c>
/// and its Redis test classes take the fixture in their constructor under <c>[Collection(RedisServerFixture.CollectionName)]</c>.
/// </summary>
/// <remarks>
/// Tests sharing the server must not stop it and must not depend on the database being empty (use fresh ids);
/// a test that kills or restarts Redis starts its own <see cref="RedisServer"/>.
/// </remarks>
public sealed class RedisServerFixture : IAsyncLifetime
{
    /// <summary>The collection name test classes use with <c>[Collection]</c>.</summary>
    public const string CollectionName = "redis-server";

    private RedisServer? _server;

    /// <summary>The running server.</summary>
    public RedisServer Server => _server ?? throw new InvalidOperationException("The Redis server is started in InitializeAsync.");

    /// <summary><c>127.0.0.1:port</c> of the shared server.</summary>
    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
