namespace OrleansCompute.Client.Contracts;

/// <summary>
/// One event of <c>POST /api/datasets/{dataset}/events?producer=P&amp;sequence=N</c> (body: a JSON array of
/// these, or NDJSON with one per line). The producer id and sequence make the batch exactly-once: re-sending
/// the same events under the same (producer, sequence) is acknowledged without counting them again; other events
/// under a used (producer, sequence) are refused with 409.
/// </summary>
public sealed class EventView
{
    public string Key { get; set; } = "";

    /// <summary>Named numeric values (finite numbers within ±1e288, so that sums cannot overflow).</summary>
    public Dictionary<string, double> Values { get; set; } = [];

    /// <summary>Optional; the server's clock when absent.</summary>
    public DateTimeOffset? Timestamp { get; set; }
}

public sealed class IngestResultView
{
    public string Dataset { get; set; } = "";

    public string Producer { get; set; } = "";

    public long Sequence { get; set; }

    /// <summary>Events counted by this request (0 when the whole batch was a re-send).</summary>
    public int Applied { get; set; }

    /// <summary>Events skipped because they had already been counted.</summary>
    public int Duplicates { get; set; }
}

public sealed class MetricView
{
    public long Count { get; set; }

    /// <summary>Null only when the stored sum overflowed (<see cref="SumOverflowed"/>).</summary>
    public double? Sum { get; set; }

    /// <summary>
    /// True when the stored sum is not a finite number: it overflowed in a dataset written before values were limited to
    /// ±1e288 (since then no sum can overflow). <see cref="Sum"/> and <see cref="Mean"/> are null then. Left out when false.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool SumOverflowed { get; set; }

    public double? Min { get; set; }

    public double? Max { get; set; }

    public double? Mean { get; set; }
}

/// <summary>Answer of <c>GET /api/datasets/{dataset}/keys/{key}</c>.</summary>
public sealed class KeyTotalsView
{
    public string Key { get; set; } = "";

    public long Events { get; set; }

    public Dictionary<string, MetricView> Values { get; set; } = [];
}

/// <summary>Answer of <c>GET /api/datasets/{dataset}/top?k=10&amp;metric=events</c> (metric: <c>events</c> or <c>value:sum|count|min|max|mean</c>).</summary>
public sealed class TopKeysView
{
    public string Dataset { get; set; } = "";

    public string Metric { get; set; } = "";

    public List<TopKeyRow> Rows { get; set; } = [];
}

public sealed class TopKeyRow
{
    public string Key { get; set; } = "";

    public double Score { get; set; }

    public KeyTotalsView Totals { get; set; } = new();
}

/// <summary>Answer of <c>GET /api/datasets</c>.</summary>
public sealed class DatasetListView
{
    public List<DatasetView> Datasets { get; set; } = [];
}

public sealed class DatasetView
{
    public string Name { get; set; } = "";

    /// <summary>Events acknowledged into the dataset (duplicates not counted).</summary>
    public long Events { get; set; }

    public DateTimeOffset? LastIngestAt { get; set; }
}
