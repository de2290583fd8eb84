namespace OrleansCompute.Grains.Compute;

/// <summary>How word count folds case before counting.</summary>
public enum CaseFolding
{
    /// <summary>Words are counted as written.</summary>
    None = 0,

    /// <summary>Every rune is mapped by <see cref="System.Text.Rune.ToLowerInvariant(System.Text.Rune)"/> (simple Unicode lower-case mapping).</summary>
    Lower = 1,
}
