using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Grains.Api;

/// <summary>Implements <see cref="IDatasetCatalogGrain"/>: dataset → events and last ingest, persisted on each record.</summary>
public sealed class DatasetCatalogGrain([PersistentState("datasetcatalog")] IPersistentState<DatasetCatalogState> state)
    : Grain, IDatasetCatalogGrain
{
    public async Task Record(List<DatasetIngestRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var datasets = state.State.Datasets;
        foreach (var record in records)
        {
            if (!datasets.TryGetValue(record.Dataset, out var entry))
            {
                datasets[record.Dataset] = entry = new DatasetIngestRecord { Dataset = record.Dataset };
            }

            entry.Events += record.Events;
            if (record.LastIngestAt > entry.LastIngestAt)
            {
                entry.LastIngestAt = record.LastIngestAt;
            }
        }

        await state.WriteStateAsync();
    }

    public Task<List<DatasetIngestRecord>> List() =>
        Task.FromResult(state.State.Datasets.Values.OrderBy(d => d.Dataset, StringComparer.Ordinal)
            .Select(d => new DatasetIngestRecord { Dataset = d.Dataset, Events = d.Events, LastIngestAt = d.LastIngestAt }).ToList());
}

/// <summary>Persisted state of <see cref="DatasetCatalogGrain"/>.</summary>
[GenerateSerializer]
public sealed class DatasetCatalogState
{
    [Id(0)]
    public Dictionary<string, DatasetIngestRecord> Datasets { get; set; } = new(StringComparer.Ordinal);
}
