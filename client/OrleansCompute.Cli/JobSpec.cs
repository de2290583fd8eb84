using System.Globalization;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli;

/// <summary>What <c>ocx job run</c> was given, before it becomes a <see cref="JobSubmission"/>.</summary>
public sealed class JobRunArguments
{
    public string Kind { get; set; } = "";

    public string Input { get; set; } = "";

    /// <summary>Send <see cref="Input"/> as typed instead of resolving an existing local path to an absolute one.</summary>
    public bool ServerPath { get; set; }

    public string? Format { get; set; }

    public string? Delimiter { get; set; }

    public bool NoHeader { get; set; }

    public string? SplitSize { get; set; }

    public IReadOnlyList<string> Keys { get; set; } = [];

    public IReadOnlyList<string> Aggregates { get; set; } = [];

    public int? Top { get; set; }

    public string? OrderBy { get; set; }

    public bool Ascending { get; set; }

    public string? Pattern { get; set; }

    public bool Regex { get; set; }

    public bool CaseSensitive { get; set; }

    public long? MaxBadRecords { get; set; }

    public string? Id { get; set; }
}

/// <summary>Turns <c>ocx job run</c> arguments into the API's job submission; bad combinations are usage errors.</summary>
public static class JobSpec
{
    private static readonly string[] s_functions = ["count", "sum", "min", "max", "mean"];

    /// <summary>
    /// The API's kind name for what users type: <c>wordcount</c>/<c>word-count</c> → <c>word-count</c>,
    /// <c>groupby</c> → <c>group-by</c>, <c>topk</c> → <c>top-k</c>, <c>filter</c> → <c>filter-count</c>.
    /// Anything else (a kind registered in the silo) is sent as typed.
    /// </summary>
    public static string NormalizeKind(string kind)
    {
        var squashed = kind.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        return squashed switch
        {
            "wordcount" or "words" => "word-count",
            "groupby" => "group-by",
            "topk" or "top" => "top-k",
            "filter" or "filtercount" or "grep" => "filter-count",
            _ => kind.Trim(),
        };
    }

    public static JobSubmission Build(JobRunArguments args, Func<string, string>? resolveInput = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (string.IsNullOrWhiteSpace(args.Kind))
        {
            throw new UsageException("the job kind is empty (wordcount, groupby, topk, filter or a kind registered in the silo).");
        }

        if (string.IsNullOrWhiteSpace(args.Input))
        {
            throw new UsageException("the input path is empty.");
        }

        var kind = NormalizeKind(args.Kind);
        var submission = new JobSubmission
        {
            Id = string.IsNullOrWhiteSpace(args.Id) ? null : args.Id.Trim(),
            Kind = kind,
            Input = new JobInput
            {
                Path = args.ServerPath || resolveInput is null ? args.Input : resolveInput(args.Input),
                Format = NormalizeFormat(args.Format),
                Delimiter = args.Delimiter,
                HasHeader = args.NoHeader ? false : null,
                SplitBytes = args.SplitSize is null ? null : ParseSize(args.SplitSize),
            },
        };

        if (args.Delimiter is not null && submission.Input.Format != "csv")
        {
            throw new UsageException("--delimiter applies to --format csv only.");
        }

        var isGroup = kind is "group-by" or "top-k";
        if (args.Keys.Count > 0 || args.Aggregates.Count > 0)
        {
            if (kind is "word-count" or "filter-count")
            {
                throw new UsageException($"--key and --agg apply to groupby and topk, not {kind}.");
            }

            submission.GroupBy = new GroupBySettings
            {
                Keys = [.. args.Keys.Select(k => k.Trim())],
                Aggregates = [.. args.Aggregates.Select(ParseAggregate)],
            };
        }
        else if (isGroup)
        {
            throw new UsageException($"{kind} needs at least one --key column (and optionally --agg function:column, e.g. --agg mean:delay).");
        }

        if (args.Top is not null || args.OrderBy is not null || args.Ascending)
        {
            if (kind == "filter-count")
            {
                throw new UsageException("--top, --order-by and --ascending do not apply to filter.");
            }

            if (args.Top is < 1 or > 100_000)
            {
                throw new UsageException("--top must be between 1 and 100000.");
            }

            submission.TopK = new TopKSettings { K = args.Top, OrderBy = args.OrderBy, Descending = args.Ascending ? false : null };
        }

        if (kind == "filter-count")
        {
            if (string.IsNullOrEmpty(args.Pattern))
            {
                throw new UsageException("filter needs --pattern TEXT (add --regex for a regular expression).");
            }

            submission.Filter = new FilterSettings
            {
                Pattern = args.Pattern,
                Mode = args.Regex ? "regex" : "substring",
                IgnoreCase = !args.CaseSensitive,
            };
        }
        else if (args.Pattern is not null || args.Regex || args.CaseSensitive)
        {
            throw new UsageException($"--pattern, --regex and --case-sensitive apply to filter, not {kind}.");
        }

        if (args.MaxBadRecords is not null)
        {
            if (args.MaxBadRecords < 0)
            {
                throw new UsageException("--max-bad-records must be 0 or more.");
            }

            submission.Rejection = new RejectionSettings { MaxBadRecords = args.MaxBadRecords };
        }

        return submission;
    }

    /// <summary><c>function:column</c> (<c>mean:delay</c>) or <c>count</c>.</summary>
    public static AggregateSetting ParseAggregate(string text)
    {
        var trimmed = text.Trim();
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var function = (colon < 0 ? trimmed : trimmed[..colon]).Trim().ToLowerInvariant();
        var column = colon < 0 ? null : trimmed[(colon + 1)..].Trim();
        if (!s_functions.Contains(function))
        {
            throw new UsageException($"--agg '{text}': the function must be one of {string.Join(", ", s_functions)} (form: function:column, e.g. sum:amount).");
        }

        if (string.IsNullOrEmpty(column) && function != "count")
        {
            throw new UsageException($"--agg '{text}': {function} needs a column (form: {function}:column).");
        }

        return new AggregateSetting { Function = function, Column = string.IsNullOrEmpty(column) ? null : column };
    }

    /// <summary>Bytes with an optional k/m/g suffix (powers of 1024): <c>1m</c> = 1,048,576.</summary>
    public static long ParseSize(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed.EndsWith('b'))
        {
            trimmed = trimmed[..^1];
        }

        long multiplier = 1;
        if (trimmed.Length > 0 && trimmed[^1] is 'k' or 'm' or 'g')
        {
            multiplier = trimmed[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, _ => 1L << 30 };
            trimmed = trimmed[..^1];
        }

        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > long.MaxValue / multiplier)
        {
            throw new UsageException($"--split-size '{text}' is not a size (bytes, or a number with k, m or g: 4m).");
        }

        return value * multiplier;
    }

    private static string? NormalizeFormat(string? format)
    {
        if (format is null)
        {
            return null;
        }

        return format.Trim().ToLowerInvariant() switch
        {
            "csv" => "csv",
            "jsonl" or "ndjson" or "json" => "jsonl",
            "text" or "txt" => "text",
            _ => throw new UsageException($"--format '{format}' is not one of csv, jsonl, text."),
        };
    }
}
