using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Grains.Api;

namespace OrleansCompute.Api;

/// <summary>
/// Counts acknowledged events per dataset in memory and sends them to the dataset catalog grain once a second
/// (and before every dataset listing), so the ingest hot path makes no extra grain call. A process that dies
/// loses at most its last second of counts in the catalog; the datasets' own totals are unaffected.
/// </summary>
internal sealed partial class DatasetCatalogBuffer(IGrainFactory grains, ILogger<DatasetCatalogBuffer> logger) : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private Dictionary<string, DatasetIngestRecord> _pending = new(StringComparer.Ordinal);

    public void Add(string dataset, long applied, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(dataset, out var record))
            {
                _pending[dataset] = record = new DatasetIngestRecord { Dataset = dataset };
            }

            record.Events += applied;
            record.LastIngestAt = at;
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            Dictionary<string, DatasetIngestRecord> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                batch = _pending;
                _pending = new(StringComparer.Ordinal);
            }

            try
            {
                await grains.GetGrain<IDatasetCatalogGrain>(0).Record([.. batch.Values]);
            }
            catch
            {
                lock (_lock)
                {
                    foreach (var record in batch.Values)
                    {
                        Add(record.Dataset, record.Events, record.LastIngestAt);
                    }
                }

                throw;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFlushFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await FlushAsync(last.Token);
        }
        catch (Exception ex)
        {
            LogFlushFailed(logger, ex);
        }
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not update the dataset catalog; retrying in a second")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
