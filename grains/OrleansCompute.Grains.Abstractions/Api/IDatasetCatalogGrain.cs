using Orleans;

namespace OrleansCompute.Grains.Api;

/// <summary>The datasets ingested through the HTTP API with their acknowledged event counts (one grain, key 0; persisted).</summary>
public interface IDatasetCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Adds counted events to each dataset named (creating the entry on first sight).</summary>
    Task Record(List<DatasetIngestRecord> records);

    /// <summary>Every dataset, by name (ordinal).</summary>
    Task<List<DatasetIngestRecord>> List();
}

/// <summary>A dataset's acknowledged events (duplicates not counted) and its last ingest time.</summary>
[GenerateSerializer]
public sealed class DatasetIngestRecord
{
    [Id(0)]
    public string Dataset { get; set; } = "";

    [Id(1)]
    public long Events { get; set; }

    [Id(2)]
    public DateTimeOffset LastIngestAt { get; set; }
}
