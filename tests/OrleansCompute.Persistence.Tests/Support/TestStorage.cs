using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Support;

/// <summary>
/// What a silo would hand a <see cref="SqliteGrainStorage"/> it creates, for tests that construct one directly:
/// Orleans's default grain storage serializer (<see cref="JsonGrainStorageSerializer"/>, Newtonsoft.Json) and
/// Orleans's activators for default state.
/// </summary>
public static class TestStorage
{
    private static readonly ServiceProvider s_services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static IActivatorProvider Activators { get; } = s_services.GetRequiredService<IActivatorProvider>();

    public static IGrainStorageSerializer Serializer { get; } = new JsonGrainStorageSerializer(
        new OrleansJsonSerializer(Options.Create(new OrleansJsonSerializerOptions())));

    /// <summary>A provider on <paramref name="options"/>, with <see cref="Serializer"/> unless the options name one.</summary>
    public static SqliteGrainStorage CreateSqlite(string name, SqliteGrainStorageOptions options)
    {
        options.GrainStorageSerializer ??= Serializer;
        return new SqliteGrainStorage(name, options, Activators);
    }
}
