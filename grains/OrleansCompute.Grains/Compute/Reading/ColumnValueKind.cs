namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>What a projected column holds in the current record.</summary>
public enum ColumnValueKind : byte
{
    /// <summary>JSON only: the record has no such property.</summary>
    Missing = 0,

    /// <summary>JSON <c>null</c>.</summary>
    Null = 1,

    /// <summary>A CSV field (possibly empty) or a JSON string.</summary>
    Text = 2,

    /// <summary>A JSON number (its text is the column value).</summary>
    Number = 3,

    /// <summary>JSON <c>true</c> (text <c>true</c>).</summary>
    True = 4,

    /// <summary>JSON <c>false</c> (text <c>false</c>).</summary>
    False = 5,
}
