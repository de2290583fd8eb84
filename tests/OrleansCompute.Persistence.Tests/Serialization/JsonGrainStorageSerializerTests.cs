using System.Text;
using System.Text.Json;
using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Serialization;

public sealed class JsonGrainStorageSerializerTests
{
    private readonly JsonGrainStorageSerializer _serializer = new();

    [Fact]
    public void Classes_round_trip_with_properties_fields_and_collections()
    {
        var value = new ProfileState
        {
            Name = "n",
            Visits = 3,
            Tags = ["x", "y"],
            Counters = new() { ["a"] = 1 },
            Blob = [1, 2, 3],
            Revision = 17,
        };

        var copy = _serializer.Deserialize<ProfileState>(_serializer.Serialize(value));

        Assert.Equal(value.Name, copy.Name);
        Assert.Equal(value.Visits, copy.Visits);
        Assert.Equal(value.Tags, copy.Tags);
        Assert.Equal(value.Counters, copy.Counters);
        Assert.Equal(value.Blob, copy.Blob);
        Assert.Equal(17, copy.Revision);
    }

    [Fact]
    public void Positional_records_round_trip()
    {
        var value = new PointRecord(1, 2, "p");

        Assert.Equal(value, _serializer.Deserialize<PointRecord>(_serializer.Serialize(value)));
    }

    [Fact]
    public void Non_ascii_text_is_stored_as_utf8_not_escaped()
    {
        var json = Encoding.UTF8.GetString(_serializer.Serialize(new PointRecord(0, 0, "Zoë 漢字")));

        Assert.Contains("Zoë 漢字", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_added_or_removed_since_the_state_was_written_are_tolerated()
    {
        var written = Encoding.UTF8.GetBytes("""{"Name":"old","Retired":true}""");

        var read = _serializer.Deserialize<ProfileState>(written);

        Assert.Equal("old", read.Name);
        Assert.Empty(read.Tags);
    }

    [Fact]
    public void Custom_options_are_copied_and_frozen_leaving_the_callers_options_usable()
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        var serializer = new JsonGrainStorageSerializer(options);
        options.WriteIndented = true;

        Assert.True(serializer.Options.IsReadOnly);
        Assert.False(serializer.Options.WriteIndented);
        Assert.Contains("\"label\":\"p\"", Encoding.UTF8.GetString(serializer.Serialize(new PointRecord(1, 2, "p"))), StringComparison.Ordinal);
    }
}
