using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansCompute.Hosting;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Hosting;

public sealed class GrainStorageRegistrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static GrainId NewGrainId() => new("user", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Memory_storage_is_a_keyed_singleton_under_Default_or_the_given_name()
    {
        var services = new ServiceCollection().AddMemoryGrainStorage().AddMemoryGrainStorage("archive");
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var defaultStorage = provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName);
        var archive = provider.GetRequiredKeyedService<IGrainStorage>("archive");

        Assert.IsType<MemoryGrainStorage>(defaultStorage);
        Assert.Equal("archive", Assert.IsType<MemoryGrainStorage>(archive).Name);
        Assert.NotSame(defaultStorage, archive);
        Assert.Same(defaultStorage, provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName));
    }

    [Fact]
    public async Task Json_is_the_default_serializer_and_an_earlier_registration_wins()
    {
        await using (var withDefault = new ServiceCollection().AddMemoryGrainStorage().BuildServiceProvider())
        {
            Assert.IsType<JsonGrainStorageSerializer>(withDefault.GetRequiredService<IGrainStorageSerializer>());
        }

        var custom = new CountingSerializer();
        var services = new ServiceCollection().AddSingleton<IGrainStorageSerializer>(custom).AddMemoryGrainStorage();
        await using var provider = services.BuildServiceProvider();
        var storage = provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName);

        await storage.WriteStateAsync("s", NewGrainId(), new GrainState<int>(1));

        Assert.Same(custom, provider.GetRequiredService<IGrainStorageSerializer>());
        Assert.Equal(1, custom.SerializeCalls);
    }

    [Fact]
    public async Task A_serializer_registered_after_the_provider_replaces_the_default()
    {
        var custom = new CountingSerializer();
        var services = new ServiceCollection().AddMemoryGrainStorage();
        services.AddSingleton<IGrainStorageSerializer>(custom);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName)
            .WriteStateAsync("s", NewGrainId(), new GrainState<int>(1));

        Assert.Equal(1, custom.SerializeCalls);
    }

    [Fact]
    public async Task A_serializer_keyed_by_provider_name_is_used_by_that_provider_only()
    {
        var archiveSerializer = new CountingSerializer();
        var services = new ServiceCollection()
            .AddMemoryGrainStorage()
            .AddMemoryGrainStorage("archive")
            .AddKeyedSingleton<IGrainStorageSerializer>("archive", archiveSerializer);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName)
            .WriteStateAsync("s", NewGrainId(), new GrainState<int>(1));
        Assert.Equal(0, archiveSerializer.SerializeCalls);

        await provider.GetRequiredKeyedService<IGrainStorage>("archive").WriteStateAsync("s", NewGrainId(), new GrainState<int>(1));
        Assert.Equal(1, archiveSerializer.SerializeCalls);
    }

    [Fact]
    public async Task Silo_builder_extensions_register_sqlite_as_default_next_to_a_named_memory_provider()
    {
        var silo = new TestSiloBuilder();
        var path = _folder.File("silo", "grains.db");

        silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = path).AddMemoryGrainStorage("scratch");
        await using var provider = silo.Services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        foreach (var hostedService in provider.GetServices<IHostedService>())
        {
            await hostedService.StartAsync(CancellationToken.None);
        }

        var sqlite = Assert.IsType<SqliteGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DefaultStorageProviderName));
        Assert.IsType<MemoryGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("scratch"));
        Assert.True(File.Exists(path), "the database is created when the host starts");
        var grainId = NewGrainId();
        await sqlite.WriteStateAsync("s", grainId, new GrainState<string>("hello"));
        var read = new GrainState<string>("");
        await sqlite.ReadStateAsync("s", grainId, read);
        Assert.Equal("hello", read.State);
    }

    [Fact]
    public async Task Named_sqlite_providers_get_their_own_options()
    {
        var services = new ServiceCollection()
            .AddSqliteGrainStorage("hot", o => o.DatabasePath = _folder.File("hot.db"))
            .AddSqliteGrainStorage("cold", o =>
            {
                o.DatabasePath = _folder.File("cold.db");
                o.TableName = "cold_state";
            });
        await using var provider = services.BuildServiceProvider();

        var hot = Assert.IsType<SqliteGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("hot"));
        var cold = Assert.IsType<SqliteGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("cold"));

        Assert.EndsWith("hot.db", hot.DatabasePath, StringComparison.Ordinal);
        Assert.EndsWith("cold.db", cold.DatabasePath, StringComparison.Ordinal);
        var coldOptions = provider.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get("cold");
        Assert.Equal("cold_state", coldOptions.TableName);
        Assert.Equal(SqliteGrainStorageOptions.DefaultTableName, provider.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get("hot").TableName);
        Assert.Equal(TimeSpan.FromSeconds(5), coldOptions.BusyTimeout);
        Assert.Equal(SqliteSynchronousMode.Normal, coldOptions.Synchronous);
    }

    [Fact]
    public async Task A_missing_database_path_fails_start_up_validation_naming_the_setting()
    {
        var services = new ServiceCollection().AddSqliteGrainStorage("orders", _ => { });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SqliteGrainStorageOptions.DatabasePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_table_name_and_busy_timeout_fail_start_up_validation_naming_the_settings()
    {
        var services = new ServiceCollection().AddSqliteGrainStorageAsDefault(o =>
        {
            o.DatabasePath = _folder.File("grains.db");
            o.TableName = "bad name";
            o.BusyTimeout = TimeSpan.Zero;
        });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SqliteGrainStorageOptions.TableName", error.Message, StringComparison.Ordinal);
        Assert.Contains("SqliteGrainStorageOptions.BusyTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_database_path_fails_host_start_up_naming_the_setting()
    {
        var blocker = _folder.File("file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var services = new ServiceCollection().AddSqliteGrainStorageAsDefault(o => o.DatabasePath = Path.Combine(blocker, "grains.db"));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var hostedService = Assert.Single(provider.GetServices<IHostedService>());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => hostedService.StartAsync(CancellationToken.None));

        Assert.Contains("SqliteGrainStorageOptions.DatabasePath", error.Message, StringComparison.Ordinal);
    }
}
