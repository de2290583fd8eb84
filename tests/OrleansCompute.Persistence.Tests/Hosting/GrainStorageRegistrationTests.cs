using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansCompute.Hosting;
using OrleansCompute.Persistence.Tests.Sqlite;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;
using Xunit.Abstractions;

namespace OrleansCompute.Persistence.Tests.Hosting;

/// <summary>
/// <c>AddSqliteGrainStorage</c> on Orleans: first what it registers (a bare service collection with what a silo provides),
/// then real silos (localhost clustering on free loopback ports) with a <c>[PersistentState]</c> grain.
/// </summary>
public sealed class GrainStorageRegistrationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static GrainId NewGrainId() => GrainId.Create("user", Guid.NewGuid().ToString("N"));

    /// <summary>The services a silo gives storage providers: Orleans's serializer, activators and a default grain storage serializer.</summary>
    private static ServiceCollection SiloLikeServices(IGrainStorageSerializer? serializer = null)
    {
        var services = new ServiceCollection();
        services.AddSerializer();
        services.AddSingleton(serializer ?? TestStorage.Serializer);
        return services;
    }

    [Fact]
    public async Task The_provider_is_a_keyed_IGrainStorage_and_the_same_instance_is_the_keyed_IGrainLogStorage_and_a_lifecycle_participant()
    {
        var services = SiloLikeServices()
            .AddSqliteGrainStorageAsDefault(o => o.DatabasePath = _folder.File("default.db"))
            .AddSqliteGrainStorage("archive", o => o.DatabasePath = _folder.File("archive.db"));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var defaultStorage = Assert.IsType<SqliteGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
        var archive = Assert.IsType<SqliteGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("archive"));

        Assert.Equal("Default", defaultStorage.Name);
        Assert.Equal("archive", archive.Name);
        Assert.NotSame(defaultStorage, archive);
        Assert.Same(defaultStorage, provider.GetRequiredKeyedService<IGrainLogStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
        Assert.Same(archive, provider.GetRequiredKeyedService<IGrainLogStorage>("archive"));
        Assert.Same(defaultStorage, provider.GetRequiredService<IGrainStorage>());
        var participants = provider.GetServices<ILifecycleParticipant<ISiloLifecycle>>().ToList();
        Assert.Contains(defaultStorage, participants);
        Assert.Contains(archive, participants);
    }

    [Fact]
    public async Task The_silos_default_serializer_is_used_unless_one_is_keyed_by_the_provider_name_or_set_in_the_options()
    {
        var siloDefault = new CountingSerializer();
        var archiveSerializer = new CountingSerializer();
        var explicitSerializer = new CountingSerializer();
        var services = SiloLikeServices(siloDefault)
            .AddSqliteGrainStorageAsDefault(o => o.DatabasePath = _folder.File("default.db"))
            .AddSqliteGrainStorage("archive", o => o.DatabasePath = _folder.File("archive.db"))
            .AddSqliteGrainStorage("explicit", o =>
            {
                o.DatabasePath = _folder.File("explicit.db");
                o.GrainStorageSerializer = explicitSerializer;
            })
            .AddKeyedSingleton<IGrainStorageSerializer>("archive", archiveSerializer);
        await using var provider = services.BuildServiceProvider();

        foreach (var name in new[] { ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, "archive", "explicit", "explicit" })
        {
            await provider.GetRequiredKeyedService<IGrainStorage>(name).WriteStateAsync("s", NewGrainId(), new GrainState<int>(1));
        }

        Assert.Equal(1, siloDefault.SerializeCalls);
        Assert.Equal(1, archiveSerializer.SerializeCalls);
        Assert.Equal(2, explicitSerializer.SerializeCalls);
    }

    [Fact]
    public async Task Named_sqlite_providers_get_their_own_options()
    {
        var services = SiloLikeServices()
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
        var options = provider.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>();
        Assert.Equal("cold_state", options.Get("cold").TableName);
        Assert.Equal(SqliteGrainStorageOptions.DefaultTableName, options.Get("hot").TableName);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Get("cold").BusyTimeout);
        Assert.Equal(SqliteSynchronousMode.Normal, options.Get("cold").Synchronous);
        Assert.Equal(ServiceLifecycleStage.ApplicationServices, options.Get("cold").InitStage);
    }

    [Fact]
    public async Task A_missing_database_path_fails_start_up_validation_naming_the_setting()
    {
        var services = SiloLikeServices().AddSqliteGrainStorage("orders", _ => { });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SqliteGrainStorageOptions.DatabasePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_table_name_and_busy_timeout_fail_start_up_validation_naming_the_settings()
    {
        var services = SiloLikeServices().AddSqliteGrainStorageAsDefault(o =>
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
    public async Task PersistentState_survives_a_silo_restart_through_the_sqlite_provider()
    {
        var path = _folder.File("silo", "grains.db");
        var key = Guid.NewGuid().ToString("N");

        NoteSnapshot written;
        using (var host = await StartSiloAsync(path))
        {
            Assert.True(File.Exists(path), "the database is created when the silo starts");
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<INoteGrain>(key);
            Assert.False((await grain.ReadAsync()).RecordExists);
            await grain.WriteAsync("first");
            await grain.WriteAsync("Zoë 🙂");
            written = await grain.ReadAsync();

            // The log capability is resolvable next to the keyed IGrainStorage, as the streaming grains resolve it.
            Assert.Same(
                host.Services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME),
                host.Services.GetRequiredKeyedService<IGrainLogStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
            await host.StopAsync();
        }

        SqliteConnection.ClearAllPools();
        using (var host = await StartSiloAsync(path))
        {
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<INoteGrain>(key);
            var read = await grain.ReadAsync();

            Assert.True(read.RecordExists);
            Assert.Equal("Zoë 🙂", read.Text);
            Assert.Equal(2, read.Writes);
            Assert.Equal(written.ETag, read.ETag);

            await grain.ClearAsync();
            Assert.False((await grain.ReadAsync()).RecordExists);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_silo_on_a_database_from_before_the_move_to_Orleans_fails_to_start_with_instructions()
    {
        var path = _folder.File(".data", "grain-state.db");
        await DatabaseFormatTests.CreatePreOrleansDatabaseAsync(path);

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var host = await StartSiloAsync(path);
        });

        var message = string.Join(" | ", Flatten(error).Select(e => $"{e.GetType().Name}: {e.Message}"));
        output.WriteLine(message);
        Assert.Contains("written by OrleansCompute before it moved to Microsoft Orleans (format 1", message, StringComparison.Ordinal);
        Assert.Contains(".pre-orleans", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_database_path_fails_silo_start_up_naming_the_setting()
    {
        var blocker = _folder.File("file");
        await File.WriteAllTextAsync(blocker, "not a folder");

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var host = await StartSiloAsync(Path.Combine(blocker, "grains.db"));
        });

        var message = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains("SqliteGrainStorageOptions.DatabasePath", message, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>A one-silo host on free loopback ports with SQLite as the default grain storage; disposed on failure.</summary>
    private static async Task<IHost> StartSiloAsync(string databasePath)
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort)
            .AddSqliteGrainStorageAsDefault(o => o.DatabasePath = databasePath));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
