namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>Extracts a job's columns from a record, or says why the record is bad.</summary>
internal abstract class RecordProjector
{
    public abstract bool TryProject(ReadOnlySpan<byte> record, ColumnBuffer columns, out string? error);
}
