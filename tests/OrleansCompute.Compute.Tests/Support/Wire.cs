using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansCompute.Compute.Tests.Support;

/// <summary>Orleans's serializer as the silos configure it (every referenced assembly's codecs, converters and copiers), for tests outside a cluster.</summary>
public static class Wire
{
    private static readonly ServiceProvider s_services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static Serializer Serializer { get; } = s_services.GetRequiredService<Serializer>();

    public static byte[] Serialize<T>(T value) => Serializer.SerializeToArray(value);

    public static T Deserialize<T>(ReadOnlySpan<byte> bytes) => Serializer.Deserialize<T>(bytes)!;
}
