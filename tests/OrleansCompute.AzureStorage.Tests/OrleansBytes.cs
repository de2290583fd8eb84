using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>A job result's bytes under Orleans's serializer: equal bytes, equal results (rows in the same order included).</summary>
internal static class OrleansBytes
{
    private static readonly Serializer s_serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    public static byte[] Of(object? value) => s_serializer.SerializeToArray(value);
}
