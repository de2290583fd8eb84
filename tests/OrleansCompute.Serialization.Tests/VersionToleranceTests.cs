namespace OrleansCompute.Serialization.Tests;

public sealed class VersionToleranceTests
{
    [Fact]
    public void An_older_reader_skips_fields_added_by_a_newer_writer()
    {
        var v2 = new OrderV2
        {
            Id = "o-1",
            Total = 12.5m,
            Currency = "USD",
            ShipTo = new SpecialAddress { Street = "Nested", Number = 9, Note = "derived" },
            Lines = [new OrderLine { Sku = "a", Quantity = 1 }, new OrderLine { Sku = "b", Quantity = 2 }],
            Priority = 1,
            Extra = new() { ["x"] = new Address { Street = "in a dictionary" } },
            Tagged = new Circle(3),
        };

        var v1 = Serializer.Deserialize<OrderV1>(Serializer.Serialize(v2));

        Assert.Equal("o-1", v1.Id);
        Assert.Equal(12.5m, v1.Total);
        Assert.Equal("USD", v1.Currency);
    }

    [Fact]
    public void A_newer_reader_keeps_constructor_values_for_fields_an_older_writer_did_not_know()
    {
        var v1 = new OrderV1 { Id = "o-2", Total = 3m, Currency = "GBP" };

        var v2 = Serializer.Deserialize<OrderV2>(Serializer.Serialize(v1));

        Assert.Equal("o-2", v2.Id);
        Assert.Equal(3m, v2.Total);
        Assert.Equal("GBP", v2.Currency);
        Assert.Null(v2.ShipTo);
        Assert.Empty(v2.Lines);
        Assert.Equal(3, v2.Priority);
        Assert.Null(v2.Extra);
    }

    [Fact]
    public void Unknown_fields_inside_collections_of_nested_objects_are_skipped()
    {
        var newer = new List<OrderV2> { new() { Id = "a", Lines = [new OrderLine { Sku = "s" }] }, new() { Id = "b" } };

        var older = Serializer.Deserialize<List<OrderV1>>(Serializer.Serialize(newer));

        Assert.Equal(["a", "b"], older.Select(o => o.Id));
    }

    [Fact]
    public void A_record_reader_fills_missing_positional_members_from_parameter_defaults()
    {
        // Holder<string> writes field 0 only, as DefaultedRecord's Name; Count (field 1) is missing.
        var bytes = Serializer.Serialize(new Holder<string> { Item = "only-name" });

        var record = Serializer.Deserialize<DefaultedRecord>(bytes);

        Assert.Equal(new DefaultedRecord("only-name", 42), record);
    }
}
