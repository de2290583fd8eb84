namespace OrleansCompute.Grains.Compute;

/// <summary>How a filter-count pattern matches a line.</summary>
public enum FilterMode
{
    /// <summary>Ordinal substring match over the line's UTF-8 bytes.</summary>
    Substring = 0,

    /// <summary>.NET regular expression (compiled, culture-invariant, with a match timeout).</summary>
    Regex = 1,
}
