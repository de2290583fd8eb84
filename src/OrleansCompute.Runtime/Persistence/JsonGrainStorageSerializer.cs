using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OrleansCompute.Storage;

/// <summary>
/// Grain state as UTF-8 JSON (System.Text.Json). The default <see cref="IGrainStorageSerializer"/>:
/// readable in the database, tolerant of added and removed members, no attributes needed.
/// </summary>
/// <remarks>
/// Default options: public properties <em>and</em> public fields, member names as written in C#,
/// non-ASCII text stored as is (not <c>\uXXXX</c>-escaped). Records and classes round-trip through
/// their public constructor (parameters matched by name) or a parameterless one plus setters.
/// Private members are not stored. The options are frozen and cached, so serializer metadata is
/// built once per type.
/// </remarks>
public sealed class JsonGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly JsonSerializerOptions s_defaultOptions = CreateDefaultOptions();

    private readonly JsonSerializerOptions _options;

    /// <summary>Uses the default options described on the type.</summary>
    public JsonGrainStorageSerializer()
    {
        _options = s_defaultOptions;
    }

    /// <summary>Uses a copy of <paramref name="options"/> (the copy is made read-only).</summary>
    public JsonGrainStorageSerializer(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = new JsonSerializerOptions(options);
        copy.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        copy.MakeReadOnly();
        _options = copy;
    }

    /// <summary>The options in use (read-only).</summary>
    public JsonSerializerOptions Options => _options;

    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _options);

    public T Deserialize<T>(ReadOnlyMemory<byte> data) => JsonSerializer.Deserialize<T>(data.Span, _options)!;

    private static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = true,
            // Grain state may hold NaN or infinities (e.g. an empty min/max); store them rather than fail the write.
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            // Storage is never embedded in HTML, so the relaxed encoder is safe and keeps text compact.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }
}
