using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>One group: its key values and one value per aggregate (null when the group has no values for it).</summary>
[GenerateSerializer]
public sealed class GroupRow
{
    /// <summary>One value per key column; null where the key column held JSON <c>null</c> (a group of its own, apart from <c>""</c>).</summary>
    [Id(0)]
    public string?[] Key { get; set; } = [];

    [Id(1)]
    public decimal?[] Values { get; set; } = [];

    public override string ToString() => $"[{string.Join(", ", Key.Select(k => k ?? "null"))}] = [{string.Join(", ", Values)}]";
}
