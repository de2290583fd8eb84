using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;

namespace OrleansCompute.Clustering.Redis;

/// <summary>Membership rows as JSON (System.Text.Json): silo addresses as <c>ip:port@generation</c>, statuses by name.</summary>
internal static class MembershipEntryJson
{
    private static readonly JsonSerializerOptions s_options = CreateOptions();

    public static string Serialize(MembershipEntry entry) => JsonSerializer.Serialize(entry, s_options);

    public static MembershipEntry Deserialize(string json)
        => JsonSerializer.Deserialize<MembershipEntry>(json, s_options) ?? throw new JsonException("A membership row is the JSON literal null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Converters = { new SiloAddressConverter(), new JsonStringEnumConverter<SiloStatus>() },
        };
        options.MakeReadOnly();
        return options;
    }

    private sealed class SiloAddressConverter : JsonConverter<SiloAddress>
    {
        public override SiloAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException("A silo address is null.");
            try
            {
                return SiloAddress.FromParsableString(text);
            }
            catch (FormatException ex)
            {
                throw new JsonException(ex.Message, ex);
            }
        }

        public override void Write(Utf8JsonWriter writer, SiloAddress value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToParsableString());
    }
}
