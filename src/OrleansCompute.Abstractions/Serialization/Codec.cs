namespace OrleansCompute.Serialization;

/// <summary>The codec for <typeparamref name="T"/>, resolved once (see <see cref="CodecRegistry"/>).</summary>
public static class Codec<T>
{
    private static IFieldCodec<T>? s_instance;

    /// <summary>The codec; throws <see cref="CodecNotFoundException"/> when <typeparamref name="T"/> is not serializable.</summary>
    public static IFieldCodec<T> Instance => s_instance ?? Resolve();

    // Not a static initializer: a failed lookup must not poison the type forever (a codec may be registered later).
    private static IFieldCodec<T> Resolve()
    {
        var codec = (IFieldCodec<T>)CodecRegistry.CreateCodec(typeof(T));
        s_instance = codec;
        return codec;
    }
}
