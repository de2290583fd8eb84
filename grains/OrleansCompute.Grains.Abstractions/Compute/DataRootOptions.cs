namespace OrleansCompute.Grains.Compute;

/// <summary>
/// The folders a silo lets jobs read. An input that resolves (after <c>..</c> and symbolic links)
/// to a path outside every root is refused. Default: no roots, so nothing can be read.
/// </summary>
public sealed class DataRootOptions
{
    /// <summary>Allowed root folders. The first is the base of relative input paths.</summary>
    public IList<string> Roots { get; } = [];
}
