using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OrleansCompute.Client.Contracts;
using OrleansCompute.Grains.Api;
using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Api;

/// <summary>Exactly-once ingest into datasets and queries over their totals.</summary>
internal static class DatasetEndpoints
{
    public const int MaxTopK = ApiLimits.MaxDatasetTopK;
    private static readonly string[] s_aggregates = ["count", "sum", "min", "max", "mean"];

    internal static readonly QueryParameter Producer = new("producer", Numeric: false, Required: true,
        "The sending producer's id: with sequence, makes the batch exactly-once (1–128 of A–Z a–z 0–9 . _ -).", Pattern: "^[A-Za-z0-9._-]{1,128}$");

    internal static readonly QueryParameter Sequence = new("sequence", Numeric: true, Required: true,
        "The batch's number within the producer: re-sending the same events under it counts nothing again; other events under it get 409.",
        Minimum: 0);

    internal static readonly QueryParameter K = new("k", Numeric: true, Required: false, "How many keys to return.", Minimum: 1, Maximum: MaxTopK, Default: "10");

    internal static readonly QueryParameter Metric = new("metric", Numeric: false, Required: false,
        "What to rank keys by: events, or <value>:count|sum|min|max|mean.", Default: "events", Pattern: "^(events|.+:(count|sum|min|max|mean))$");

    internal static readonly RouteContract IngestContract = new()
    {
        Summary = "Ingest a batch of events exactly once per (producer, sequence)",
        Query = [Producer, Sequence],
        Problems = [400, 409, 413, 415],
    };

    internal static readonly RouteContract ListContract = new() { Summary = "List the datasets ingested through the API" };
    internal static readonly RouteContract KeyContract = new() { Summary = "One key's totals in a dataset", Problems = [400, 404] };
    internal static readonly RouteContract TopContract = new() { Summary = "A dataset's top keys by a metric", Query = [K, Metric], Problems = [400] };

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost(ApiRoutes.DatasetEvents, Ingest).WithName("IngestEvents").WithTags("datasets")
            .Accepts<List<EventView>>(RequestBodies.Json, RequestBodies.NdJson)
            .Produces<IngestResultView>()
            .WithContract(IngestContract);
        api.MapGet(ApiRoutes.Datasets, List).WithName("ListDatasets").WithTags("datasets").Produces<DatasetListView>().WithContract(ListContract);
        api.MapGet(ApiRoutes.DatasetKey, Key).WithName("GetKeyTotals").WithTags("datasets").Produces<KeyTotalsView>().WithContract(KeyContract);
        api.MapGet(ApiRoutes.DatasetTop, Top).WithName("GetTopKeys").WithTags("datasets").Produces<TopKeysView>().WithContract(TopContract);
    }

    private static async Task<IResult> Ingest(string dataset, HttpContext context, IGrainFactory grains, IOptions<ApiOptions> options,
        DatasetCatalogBuffer catalog)
    {
        var started = Stopwatch.GetTimestamp();
        CheckDataset(dataset);
        var producer = QueryValues.Name(context.Request, Producer);
        var sequence = QueryValues.Long(context.Request, Sequence);
        var ndjson = RequestBodies.MediaType(context.Request) switch
        {
            RequestBodies.Json => false,
            RequestBodies.NdJson => true,
            _ => throw Problems.UnsupportedMediaType(context.Request.ContentType, RequestBodies.Json + " (an array of events)",
                RequestBodies.NdJson + " (one event per line)"),
        };
        var limits = options.Value;
        var body = await RequestBodies.ReadAllAsync(context, limits.MaxRequestBodyBytes);
        List<IngestEvent> events;
        try
        {
            events = EventBatchParser.Parse(body.Buffer, ndjson, limits.MaxEventsPerBatch, DateTimeOffset.UtcNow);
        }
        finally
        {
            context.Request.BodyReader.AdvanceTo(body.Buffer.End);
        }

        IngestAck ack;
        try
        {
            ack = await grains.GetGrain<IStreamIngestGrain>(dataset).Ingest(new IngestBatch { ProducerId = producer, Sequence = sequence, Events = events });
        }
        catch (IngestConflictException ex)
        {
            catalog.Add(dataset, ex.AppliedEvents, DateTimeOffset.UtcNow);
            throw Problems.Conflict(ex.Message, "sequence");
        }

        catalog.Add(dataset, ack.Applied, DateTimeOffset.UtcNow);
        ApiInstrumentation.Ingested(ack.Applied, ack.Duplicates, started);
        return TypedResults.Json(new IngestResultView
        {
            Dataset = dataset,
            Producer = producer,
            Sequence = ack.Sequence,
            Applied = ack.Applied,
            Duplicates = ack.Duplicates,
        }, ApiJsonContext.Default.IngestResultView);
    }

    private static async Task<IResult> List(IGrainFactory grains, DatasetCatalogBuffer catalog, CancellationToken cancellationToken)
    {
        await catalog.FlushAsync(cancellationToken);
        var records = await grains.GetGrain<IDatasetCatalogGrain>(0).List();
        return TypedResults.Json(new DatasetListView
        {
            Datasets = [.. records.Select(r => new DatasetView { Name = r.Dataset, Events = r.Events, LastIngestAt = r.LastIngestAt })],
        }, ApiJsonContext.Default.DatasetListView);
    }

    private static async Task<IResult> Key(string dataset, string key, IGrainFactory grains)
    {
        CheckDataset(dataset);
        if (key.Length > EventBatchParser.MaxKeyLength)
        {
            throw Problems.Invalid("key", $"Keys hold at most {EventBatchParser.MaxKeyLength} characters.");
        }

        var totals = await grains.GetGrain<IStreamQueryGrain>(dataset).GetTotals(key)
            ?? throw Problems.NotFound($"Dataset '{dataset}' has no events for key {Problems.Quote(key)}.");
        return TypedResults.Json(ToView(key, totals), ApiJsonContext.Default.KeyTotalsView);
    }

    private static async Task<IResult> Top(string dataset, HttpContext context, IGrainFactory grains)
    {
        CheckDataset(dataset);
        var k = QueryValues.Int(context.Request, K);
        var metric = QueryValues.String(context.Request, Metric);
        CheckMetric(metric);
        var rows = await grains.GetGrain<IStreamQueryGrain>(dataset).TopK(k, metric);
        return TypedResults.Json(new TopKeysView
        {
            Dataset = dataset,
            Metric = metric,
            Rows = [.. rows.Where(r => double.IsFinite(r.Score)).Select(r => new TopKeyRow { Key = r.Key, Score = r.Score, Totals = ToView(r.Key, r.Totals) })],
        }, ApiJsonContext.Default.TopKeysView);
    }

    private static void CheckDataset(string dataset)
    {
        if (!JobMapping.IsValidName(dataset))
        {
            throw Problems.Invalid("dataset", $"Dataset names are 1–{JobMapping.MaxIdLength} of A–Z a–z 0–9 . _ - (was {Problems.Quote(dataset)}).");
        }
    }

    private static void CheckMetric(string metric)
    {
        if (metric == "events")
        {
            return;
        }

        var colon = metric.LastIndexOf(':');
        if (colon <= 0 || !s_aggregates.Contains(metric[(colon + 1)..], StringComparer.Ordinal))
        {
            throw Problems.Invalid("metric", $"Query parameter 'metric' must be 'events' or '<value>:count|sum|min|max|mean' (was {Problems.Quote(metric)}).");
        }
    }

    /// <remarks>
    /// Values are bounded at ingest so sums stay finite, but a dataset written before that may hold a sum that overflowed
    /// (±∞, or NaN once both signs overflowed): JSON has no number for it, so it is shown as <c>sum: null</c> (and
    /// <c>mean: null</c>) with <c>sumOverflowed: true</c> rather than failing the read.
    /// </remarks>
    internal static KeyTotalsView ToView(string key, KeyTotals totals) => new()
    {
        Key = key,
        Events = totals.Events,
        Values = totals.Values.ToDictionary(v => v.Key, v => new MetricView
        {
            Count = v.Value.Count,
            Sum = Finite(v.Value.Sum),
            SumOverflowed = !double.IsFinite(v.Value.Sum),
            Min = v.Value.Count == 0 ? null : Finite(v.Value.Min),
            Max = v.Value.Count == 0 ? null : Finite(v.Value.Max),
            Mean = v.Value.Count == 0 ? null : Finite(v.Value.Sum / v.Value.Count),
        }, StringComparer.Ordinal),
    };

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
