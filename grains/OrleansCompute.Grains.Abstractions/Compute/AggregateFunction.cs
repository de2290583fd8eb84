namespace OrleansCompute.Grains.Compute;

/// <summary>An aggregate of a group-by job. Missing values (empty CSV field, JSON null or absent) are ignored, as SQL ignores NULL.</summary>
public enum AggregateFunction
{
    /// <summary>Records in the group when no column is named; otherwise non-missing values of the column.</summary>
    Count = 0,
    Sum = 1,
    Min = 2,
    Max = 3,

    /// <summary>Exact sum / count of the non-missing values.</summary>
    Mean = 4,
}
