using OrleansCompute.Persistence.Tests.Support;
using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Serialization;

public sealed class GrainStateDefaultsTests
{
    [Fact]
    public void Classes_get_a_fresh_instance_with_their_initializers_run()
    {
        var first = GrainStateDefaults.Create<ProfileState>();
        var second = GrainStateDefaults.Create<ProfileState>();

        Assert.NotSame(first, second);
        Assert.NotNull(first.Tags);
        Assert.Equal("", first.Name);
    }

    [Fact]
    public void Records_without_a_parameterless_constructor_get_an_all_defaults_instance()
    {
        var point = GrainStateDefaults.Create<PointRecord>();

        Assert.NotNull(point);
        Assert.Equal(0, point.X);
    }

    [Fact]
    public void Strings_arrays_value_types_and_interfaces_get_sensible_defaults()
    {
        Assert.Equal("", GrainStateDefaults.Create<string>());
        Assert.Empty(GrainStateDefaults.Create<int[]>());
        Assert.Equal(0, GrainStateDefaults.Create<long>());
        Assert.Null(GrainStateDefaults.Create<int?>());
        Assert.Null(GrainStateDefaults.Create<IList<int>>());
        Assert.Empty(GrainStateDefaults.Create<List<int>>());
    }
}
