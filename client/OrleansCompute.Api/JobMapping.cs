using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansCompute.Client.Contracts;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Api;

/// <summary>
/// Turns a <see cref="JobSubmission"/> into the grains' <see cref="ComputeJobSpec"/>, checking everything that can
/// be checked without the silo (names, enums, ranges, the regex); each refusal names the JSON field and the
/// allowed values. The kind itself and the input path are checked by a silo (<c>IApiSupportGrain</c>).
/// </summary>
public static class JobMapping
{
    public const int MaxIdLength = 128;
    public const int MaxTopK = 100_000;
    private static readonly string[] s_formats = ["text", "csv", "jsonl"];
    private static readonly string[] s_functions = ["count", "sum", "min", "max", "mean"];

    /// <summary>Whether <paramref name="id"/> is 1–128 of <c>A–Z a–z 0–9 . _ -</c>.</summary>
    public static bool IsValidName(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return id is not "." and not "..";
    }

    /// <summary>A new job id: <c>job-yyyyMMdd-HHmmss-xxxxxxxx</c> (sortable, unique).</summary>
    public static string NewJobId(DateTimeOffset now) =>
        "job-" + now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Normalizes a kind for matching: lower case without <c>-</c> and <c>_</c>.</summary>
    public static string NormalizeKind(string kind) =>
        string.Concat(kind.Where(c => c is not '-' and not '_')).ToLowerInvariant();

    public static ComputeJobSpec ToSpec(JobSubmission submission, string jobId, string kind)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var input = submission.Input ?? throw Problems.Invalid("input", "'input' is required: { \"path\": \"…\" }.");
        if (string.IsNullOrWhiteSpace(input.Path))
        {
            throw Problems.Invalid("input.path", "'input.path' is required: a file, directory or glob under a data root.");
        }

        var spec = new ComputeJobSpec
        {
            JobId = jobId,
            Kind = kind,
            Input = new InputSpec
            {
                Path = input.Path,
                Format = Format(input.Format),
                Delimiter = Delimiter(input.Delimiter),
                HasHeader = input.HasHeader ?? true,
            },
            Parameters = submission.Parameters is { } p ? new Dictionary<string, string>(p, StringComparer.Ordinal) : [],
        };
        if (input.SplitBytes is { } split)
        {
            spec.Input.TargetSplitBytes = split is >= 1024 and <= 1L << 40
                ? split
                : throw Problems.Invalid("input.splitBytes", $"'input.splitBytes' must be between 1024 and {1L << 40} (was {split}).");
        }

        if (submission.WordCount is { } wc)
        {
            spec.WordCount = new WordCountOptions
            {
                CaseFolding = (wc.CaseFolding ?? "lower").ToLowerInvariant() switch
                {
                    "lower" => CaseFolding.Lower,
                    "none" => CaseFolding.None,
                    var other => throw Problems.Invalid("wordCount.caseFolding", $"'wordCount.caseFolding' must be one of lower, none (was {Problems.Quote(other)})."),
                },
                JoinApostrophes = wc.JoinApostrophes ?? true,
            };
        }

        if (submission.GroupBy is { } gb)
        {
            spec.GroupBy = GroupBy(gb);
        }

        if (submission.TopK is { } tk)
        {
            var k = tk.K ?? 10;
            spec.TopK = new TopKOptions
            {
                K = k is >= 1 and <= MaxTopK ? k : throw Problems.Invalid("topK.k", $"'topK.k' must be between 1 and {MaxTopK} (was {k})."),
                OrderBy = string.IsNullOrWhiteSpace(tk.OrderBy) ? "count" : tk.OrderBy.Trim(),
                Descending = tk.Descending ?? true,
            };
        }

        if (submission.Filter is { } f)
        {
            spec.Filter = Filter(f);
        }

        if (submission.Rejection is { } r)
        {
            spec.Rejection = Rejection(r);
        }

        RequireOptions(spec);
        return spec;
    }

    private static void RequireOptions(ComputeJobSpec spec)
    {
        switch (NormalizeKind(spec.Kind))
        {
            case "groupby" when spec.GroupBy is null:
            case "topk" when spec.GroupBy is null:
                throw Problems.Invalid("groupBy", $"Kind '{spec.Kind}' needs 'groupBy': {{ \"keys\": [\"column\", …], \"aggregates\": [{{ \"function\": \"count|sum|min|max|mean\", \"column\": \"…\" }}] }}.");
            case "topk" when spec.TopK is null:
                spec.TopK = new TopKOptions();
                break;
            case "filtercount" when spec.Filter is null:
                throw Problems.Invalid("filter", $"Kind '{spec.Kind}' needs 'filter': {{ \"pattern\": \"…\", \"mode\": \"substring|regex\" }}.");
            default:
                break;
        }

        if (spec.Input.Format == InputFormat.Text && NormalizeKind(spec.Kind) is "groupby" or "topk")
        {
            throw Problems.Invalid("input.format", $"Kind '{spec.Kind}' reads records with columns: 'input.format' must be csv or jsonl.");
        }
    }

    private static InputFormat Format(string? format) => (format ?? "text").Trim().ToLowerInvariant() switch
    {
        "text" or "txt" => InputFormat.Text,
        "csv" => InputFormat.Csv,
        "jsonl" or "jsonlines" or "json-lines" or "ndjson" => InputFormat.JsonLines,
        var other => throw Problems.Invalid("input.format", $"'input.format' must be one of {string.Join(", ", s_formats)} (was {Problems.Quote(other)})."),
    };

    private static char Delimiter(string? delimiter)
    {
        if (delimiter is null)
        {
            return ',';
        }

        if (delimiter == "\\t")
        {
            return '\t';
        }

        return delimiter.Length == 1 && char.IsAscii(delimiter[0]) && delimiter[0] is not '"' and not '\r' and not '\n'
            ? delimiter[0]
            : throw Problems.Invalid("input.delimiter",
                $"'input.delimiter' must be exactly one ASCII character other than a quote or a line break (was {Problems.Quote(delimiter)}, {delimiter.Length} characters); use \"\\t\" for a tab.");
    }

    private static GroupByOptions GroupBy(GroupBySettings settings)
    {
        if (settings.Keys is not { Count: > 0 } || settings.Keys.Any(string.IsNullOrWhiteSpace))
        {
            throw Problems.Invalid("groupBy.keys", "'groupBy.keys' must name at least one key column, each non-empty.");
        }

        var options = new GroupByOptions { KeyColumns = [.. settings.Keys] };
        for (var i = 0; i < (settings.Aggregates?.Count ?? 0); i++)
        {
            var a = settings.Aggregates![i] ?? throw Problems.Invalid($"groupBy.aggregates[{i}]", $"'groupBy.aggregates[{i}]' is null.");
            var function = (a.Function ?? "").Trim().ToLowerInvariant() switch
            {
                "count" => AggregateFunction.Count,
                "sum" => AggregateFunction.Sum,
                "min" => AggregateFunction.Min,
                "max" => AggregateFunction.Max,
                "mean" or "avg" => AggregateFunction.Mean,
                var other => throw Problems.Invalid($"groupBy.aggregates[{i}].function",
                    $"'groupBy.aggregates[{i}].function' must be one of {string.Join(", ", s_functions)} (was {Problems.Quote(other)})."),
            };
            if (function != AggregateFunction.Count && string.IsNullOrWhiteSpace(a.Column))
            {
                throw Problems.Invalid($"groupBy.aggregates[{i}].column", $"'groupBy.aggregates[{i}].column' is required for {a.Function}.");
            }

            options.Aggregates.Add(AggregateSpec.Of(function, string.IsNullOrWhiteSpace(a.Column) ? null : a.Column));
        }

        return options;
    }

    private static FilterOptions Filter(FilterSettings settings)
    {
        if (string.IsNullOrEmpty(settings.Pattern))
        {
            throw Problems.Invalid("filter.pattern", "'filter.pattern' is required and must not be empty.");
        }

        var mode = (settings.Mode ?? "substring").Trim().ToLowerInvariant() switch
        {
            "substring" => FilterMode.Substring,
            "regex" => FilterMode.Regex,
            var other => throw Problems.Invalid("filter.mode", $"'filter.mode' must be one of substring, regex (was {Problems.Quote(other)})."),
        };
        if (mode == FilterMode.Regex)
        {
            try
            {
                _ = new Regex(settings.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw Problems.Invalid("filter.pattern", $"'filter.pattern' is not a valid regular expression: {ex.Message}");
            }
        }

        var samples = settings.MaxSamples ?? 5;
        return new FilterOptions
        {
            Pattern = settings.Pattern,
            Mode = mode,
            IgnoreCase = settings.IgnoreCase ?? false,
            MaxSamples = samples is >= 0 and <= 1000 ? samples : throw Problems.Invalid("filter.maxSamples", $"'filter.maxSamples' must be between 0 and 1000 (was {samples})."),
        };
    }

    private static RejectionPolicy Rejection(RejectionSettings settings)
    {
        if (settings.MaxBadRecords is < 0)
        {
            throw Problems.Invalid("rejection.maxBadRecords", $"'rejection.maxBadRecords' must not be negative (was {settings.MaxBadRecords}).");
        }

        if (settings.MaxBadFraction is { } fraction && (!double.IsFinite(fraction) || fraction is < 0 or > 1))
        {
            throw Problems.Invalid("rejection.maxBadFraction", $"'rejection.maxBadFraction' must be a finite number between 0 and 1 (was {fraction.ToString(CultureInfo.InvariantCulture)}).");
        }

        var samples = settings.MaxSamples ?? 10;
        return new RejectionPolicy
        {
            MaxBadRecords = settings.MaxBadRecords,
            MaxBadFraction = settings.MaxBadFraction,
            MaxSamples = samples is >= 0 and <= 1000 ? samples : throw Problems.Invalid("rejection.maxSamples", $"'rejection.maxSamples' must be between 0 and 1000 (was {samples})."),
        };
    }

    public static JobStatusView ToView(JobStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new JobStatusView
        {
            Id = status.JobId,
            Kind = status.Spec?.Kind ?? "",
            Input = status.Spec?.Input.Path ?? "",
            State = StateName(status.State),
            SplitsDone = status.SplitsDone,
            SplitsTotal = status.SplitsTotal,
            BytesRead = status.BytesRead,
            BytesTotal = status.BytesTotal,
            RecordsRead = status.RecordsRead,
            BadRecords = status.BadRecords,
            Retries = status.Retries,
            Resumes = status.Resumes,
            Progress = status.State == JobState.Completed ? 1
                : status.SplitsTotal > 0 ? (double)status.SplitsDone / status.SplitsTotal
                : status.BytesTotal > 0 ? (double)status.BytesRead / status.BytesTotal : 0,
            SubmittedAt = status.SubmittedAt,
            FinishedAt = status.FinishedAt,
            PlanningMs = status.PlanningTime.TotalMilliseconds,
            MapMs = status.MapTime.TotalMilliseconds,
            MergeMs = status.MergeTime.TotalMilliseconds,
            CollectMs = status.CollectTime.TotalMilliseconds,
            FinishMs = status.FinishTime.TotalMilliseconds,
            // A failure text comes from a silo (an exception message): connection-string passwords, keys and SAS signatures are masked.
            Error = status.Error is null ? null : Security.SecretRedactor.RedactPatterns(status.Error),
            SplitsBySilo = status.SplitsBySilo ?? [],
        };
    }

    public static string SplitStateName(SplitState state) => state switch
    {
        SplitState.Pending => "pending",
        SplitState.Running => "running",
        SplitState.Done => "done",
        SplitState.Failed => "failed",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>A split state filter by name (<c>pending|running|done|failed</c>), or null for an unknown name.</summary>
    public static SplitState? ParseSplitState(string name) => name.Trim().ToLowerInvariant() switch
    {
        "pending" => SplitState.Pending,
        "running" => SplitState.Running,
        "done" => SplitState.Done,
        "failed" => SplitState.Failed,
        _ => null,
    };

    public static JobSplitView ToView(SplitRecord split)
    {
        ArgumentNullException.ThrowIfNull(split);
        return new JobSplitView
        {
            Split = split.SplitId,
            State = SplitStateName(split.State),
            Silo = split.Silo,
            Attempts = split.Attempts,
            Retries = split.Retries,
            Resumes = split.Resumes,
            DurationMs = split.DurationMs,
            Records = split.Records,
            BadRecords = split.BadRecords,
        };
    }

    public static string StateName(JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Completed => "completed",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static JobResultView ToView(ComputeJobResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var view = new JobResultView
        {
            Id = result.JobId,
            Kind = result.Kind,
            Records = result.Records,
            Splits = result.Splits,
            BadRecords = new BadRecordsView
            {
                Count = result.BadRecords.Count,
                Samples = [.. result.BadRecords.Samples.Select(s => new BadRecordView { Path = s.Path, Offset = s.Offset, Reason = s.Reason })],
            },
        };
        switch (result.Value)
        {
            case WordCountResult wc:
                view.WordCount = new WordCountView
                {
                    TotalWords = wc.TotalWords,
                    DistinctWords = wc.DistinctWords,
                    Words = [.. wc.Words.Select(w => new WordCountRow { Word = w.Word, Count = w.Count })],
                };
                break;
            case GroupByResult gb:
                view.GroupBy = new GroupByView
                {
                    KeyColumns = [.. gb.KeyColumns],
                    Aggregates = [.. gb.Aggregates],
                    Groups = gb.Groups,
                    Rows = [.. gb.Rows.Select(r => new GroupRowView { Key = [.. r.Key], Values = [.. r.Values] })],
                };
                break;
            case FilterCountResult fc:
                view.FilterCount = new FilterCountView
                {
                    Matches = fc.Matches,
                    Lines = fc.Lines,
                    Samples = [.. fc.Samples.Select(m => new MatchView { Path = m.Path, Offset = m.Offset, Line = m.Line })],
                };
                break;
            case null:
                break;
            case var custom:
                // A user kind's own result type: serialized once per result request, with reflection (its type is unknown here).
                view.Custom = JsonSerializer.SerializeToElement(custom, custom.GetType(), s_customOptions);
                break;
        }

        return view;
    }

    private static readonly JsonSerializerOptions s_customOptions = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
