namespace OrleansCompute.Client.Contracts;

/// <summary>
/// Body of <c>POST /api/jobs</c>. Property names are camelCase in JSON; enum-like fields are strings
/// (case-insensitive), so a typo gets a 400 that names the field and the allowed values.
/// </summary>
public sealed class JobSubmission
{
    /// <summary>
    /// Optional job id (1–128 of <c>A–Z a–z 0–9 . _ -</c>). The server makes one when absent. Submitting the
    /// same spec again under the same id is idempotent (202 with the current status); a different spec under
    /// an existing id is a 409.
    /// </summary>
    public string? Id { get; set; }

    /// <summary><c>word-count</c>, <c>group-by</c>, <c>top-k</c>, <c>filter-count</c> or a kind registered in the silo. Matching ignores case, <c>-</c> and <c>_</c> (<c>wordcount</c> = <c>word-count</c>).</summary>
    public string Kind { get; set; } = "";

    public JobInput Input { get; set; } = new();

    public WordCountSettings? WordCount { get; set; }

    public GroupBySettings? GroupBy { get; set; }

    public TopKSettings? TopK { get; set; }

    public FilterSettings? Filter { get; set; }

    public RejectionSettings? Rejection { get; set; }

    /// <summary>Free-form parameters for user-defined kinds.</summary>
    public Dictionary<string, string>? Parameters { get; set; }
}

public sealed class JobInput
{
    /// <summary>A file, directory or glob under a configured data root (relative paths: under the first root).</summary>
    public string Path { get; set; } = "";

    /// <summary><c>text</c> (default), <c>csv</c> or <c>jsonl</c>.</summary>
    public string? Format { get; set; }

    /// <summary>CSV only: one ASCII character; default <c>,</c>.</summary>
    public string? Delimiter { get; set; }

    /// <summary>CSV only: whether each file starts with a header; default true.</summary>
    public bool? HasHeader { get; set; }

    /// <summary>Target split size in bytes; default 64 MiB.</summary>
    public long? SplitBytes { get; set; }
}

public sealed class WordCountSettings
{
    /// <summary><c>lower</c> (default) or <c>none</c>.</summary>
    public string? CaseFolding { get; set; }

    /// <summary>Default true: <c>don't</c> is one word.</summary>
    public bool? JoinApostrophes { get; set; }
}

public sealed class GroupBySettings
{
    /// <summary>Key columns: CSV header names (or 0-based indexes without a header), JSON property names.</summary>
    public List<string> Keys { get; set; } = [];

    public List<AggregateSetting> Aggregates { get; set; } = [];
}

public sealed class AggregateSetting
{
    /// <summary><c>count</c>, <c>sum</c>, <c>min</c>, <c>max</c> or <c>mean</c>.</summary>
    public string Function { get; set; } = "";

    /// <summary>The value column; omitted only for <c>count</c> (records per group).</summary>
    public string? Column { get; set; }
}

public sealed class TopKSettings
{
    /// <summary>Rows to keep, 1–100,000; default 10.</summary>
    public int? K { get; set; }

    /// <summary>Aggregate result name (<c>count</c>, <c>mean(delay)</c>, …); default <c>count</c>.</summary>
    public string? OrderBy { get; set; }

    /// <summary>Default true (largest first).</summary>
    public bool? Descending { get; set; }
}

public sealed class FilterSettings
{
    public string Pattern { get; set; } = "";

    /// <summary><c>substring</c> (default) or <c>regex</c>.</summary>
    public string? Mode { get; set; }

    public bool? IgnoreCase { get; set; }

    public int? MaxSamples { get; set; }
}

public sealed class RejectionSettings
{
    public long? MaxBadRecords { get; set; }

    /// <summary>0..1.</summary>
    public double? MaxBadFraction { get; set; }

    public int? MaxSamples { get; set; }
}

/// <summary>Answer of submit, status and cancel: the job's persisted progress.</summary>
public sealed class JobStatusView
{
    public string Id { get; set; } = "";

    public string Kind { get; set; } = "";

    /// <summary>The input path as submitted.</summary>
    public string Input { get; set; } = "";

    /// <summary><c>queued</c>, <c>running</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public string State { get; set; } = "";

    public int SplitsDone { get; set; }

    public int SplitsTotal { get; set; }

    public long BytesRead { get; set; }

    public long BytesTotal { get; set; }

    public long RecordsRead { get; set; }

    public long BadRecords { get; set; }

    public int Retries { get; set; }

    public int Resumes { get; set; }

    /// <summary>0..1: splits done / total (bytes when splits are unknown).</summary>
    public double Progress { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public double PlanningMs { get; set; }

    public double MapMs { get; set; }

    /// <summary>Collect and finish together (<see cref="CollectMs"/> + <see cref="FinishMs"/>).</summary>
    public double MergeMs { get; set; }

    /// <summary>Reading the aggregators' shards (or, for kinds that join shard results, the aggregators finishing theirs).</summary>
    public double CollectMs { get; set; }

    /// <summary>Joining the shards, finishing the result and persisting the final state.</summary>
    public double FinishMs { get; set; }

    public string? Error { get; set; }

    /// <summary>Done splits per silo that ran them (<c>ip:port@generation</c>, as Orleans prints silo addresses); the counts add up to <see cref="SplitsDone"/>.</summary>
    public Dictionary<string, int> SplitsBySilo { get; set; } = [];
}

/// <summary>Answer of <c>GET /api/jobs/{id}/splits</c>: one page of the job's per-split records, in split order.</summary>
public sealed class JobSplitsView
{
    public string Id { get; set; } = "";

    /// <summary>The state filter (null: every split).</summary>
    public string? State { get; set; }

    public int Offset { get; set; }

    public int Limit { get; set; }

    /// <summary>Splits matching the filter.</summary>
    public int Total { get; set; }

    public List<JobSplitView> Splits { get; set; } = [];
}

/// <summary>One split of a job.</summary>
public sealed class JobSplitView
{
    public int Split { get; set; }

    /// <summary><c>pending</c>, <c>running</c>, <c>done</c> or <c>failed</c>.</summary>
    public string State { get; set; } = "";

    /// <summary>The silo that ran it (<c>ip:port@generation</c>); null until a run answered.</summary>
    public string? Silo { get; set; }

    /// <summary>Partition calls made for it.</summary>
    public int Attempts { get; set; }

    /// <summary>Failed calls that were tried again.</summary>
    public int Retries { get; set; }

    /// <summary>Runs again after a run of it was cut off (the job resumed after its silo died, or a shard lacked its merge).</summary>
    public int Resumes { get; set; }

    public long DurationMs { get; set; }

    public long Records { get; set; }

    public long BadRecords { get; set; }
}

public sealed class JobListView
{
    /// <summary>Most recently submitted first.</summary>
    public List<JobStatusView> Jobs { get; set; } = [];

    /// <summary>Matching jobs skipped before this page.</summary>
    public int Offset { get; set; }

    public int Limit { get; set; }

    /// <summary>Jobs in the index (without a filter: every listed job); null with a state or kind filter, which is not counted in full.</summary>
    public int? Total { get; set; }

    /// <summary>Whether more matching jobs may follow this page (ask with <c>offset</c> + <c>limit</c>).</summary>
    public bool More { get; set; }

    /// <summary>The state filter as applied (null: none).</summary>
    public string? State { get; set; }

    /// <summary>The kind filter as applied (null: none).</summary>
    public string? Kind { get; set; }
}

/// <summary>Answer of <c>GET /api/jobs/{id}/result</c> once the job completed. Exactly one of the kind-specific parts is set.</summary>
public sealed class JobResultView
{
    public string Id { get; set; } = "";

    public string Kind { get; set; } = "";

    public long Records { get; set; }

    public int Splits { get; set; }

    public BadRecordsView BadRecords { get; set; } = new();

    public WordCountView? WordCount { get; set; }

    public GroupByView? GroupBy { get; set; }

    public FilterCountView? FilterCount { get; set; }

    /// <summary>A user kind's result, as the server serialized it with System.Text.Json.</summary>
    public System.Text.Json.JsonElement? Custom { get; set; }
}

public sealed class BadRecordsView
{
    public long Count { get; set; }

    public List<BadRecordView> Samples { get; set; } = [];
}

public sealed class BadRecordView
{
    public string Path { get; set; } = "";

    public long Offset { get; set; }

    public string Reason { get; set; } = "";
}

public sealed class WordCountView
{
    public long TotalWords { get; set; }

    public long DistinctWords { get; set; }

    public List<WordCountRow> Words { get; set; } = [];
}

public sealed class WordCountRow
{
    public string Word { get; set; } = "";

    public long Count { get; set; }
}

public sealed class GroupByView
{
    public List<string> KeyColumns { get; set; } = [];

    public List<string> Aggregates { get; set; } = [];

    public long Groups { get; set; }

    public List<GroupRowView> Rows { get; set; } = [];
}

public sealed class GroupRowView
{
    /// <summary>One value per key column; JSON null where the key column held <c>null</c> (its own group, apart from <c>""</c>).</summary>
    public List<string?> Key { get; set; } = [];

    /// <summary>One per aggregate, null where the group has no values; exact decimals.</summary>
    public List<decimal?> Values { get; set; } = [];
}

public sealed class FilterCountView
{
    public long Matches { get; set; }

    public long Lines { get; set; }

    public List<MatchView> Samples { get; set; } = [];
}

public sealed class MatchView
{
    public string Path { get; set; } = "";

    public long Offset { get; set; }

    public string Line { get; set; } = "";
}
