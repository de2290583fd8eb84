using System.Globalization;
using OrleansCompute.Client;
using OrleansCompute.Client.Contracts;
using Spectre.Console;

namespace OrleansCompute.Cli;

/// <summary>Spectre.Console tables for the API's answers (plain text when standard output is redirected).</summary>
public static class Views
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static string StateMarkup(string state) => state.ToLowerInvariant() switch
    {
        JobStates.Completed => "[green]completed[/]",
        JobStates.Failed => "[red]failed[/]",
        JobStates.Cancelled => "[yellow]cancelled[/]",
        JobStates.Running => "[blue]running[/]",
        _ => Markup.Escape(state),
    };

    public static string Number(long value) => value.ToString("N0", s_invariant);

    public static string Number(double value) =>
        Math.Abs(value - Math.Round(value)) < 1e-9 && Math.Abs(value) < 1e15
            ? ((long)Math.Round(value)).ToString("N0", s_invariant)
            : value.ToString("#,0.####", s_invariant);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", s_invariant) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.#", s_invariant) + " MiB",
        _ => (bytes / (1024.0 * 1024 * 1024)).ToString("0.##", s_invariant) + " GiB",
    };

    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 0 => "0 s",
        < 10 => span.TotalSeconds.ToString("0.00", s_invariant) + " s",
        < 120 => span.TotalSeconds.ToString("0.0", s_invariant) + " s",
        < 7200 => $"{(int)span.TotalMinutes} min {span.Seconds} s",
        _ => $"{(int)span.TotalHours} h {span.Minutes} min",
    };

    public static TimeSpan Elapsed(JobStatusView status) => (status.FinishedAt ?? DateTimeOffset.UtcNow) - status.SubmittedAt;

    public static string Percent(double progress) => (Math.Clamp(progress, 0, 1) * 100).ToString("0", s_invariant) + "%";

    /// <summary>One line describing a job's progress, for progress bars and redirected output.</summary>
    public static string ProgressLine(JobStatusView status)
    {
        var splits = status.SplitsTotal > 0 ? $"{status.SplitsDone}/{status.SplitsTotal} splits" : "planning";
        return $"{status.State} {Percent(status.Progress)} · {splits} · {Number(status.RecordsRead)} records";
    }

    public static void Status(IAnsiConsole console, JobStatusView status)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Row(string name, string markup) => grid.AddRow(new Markup($"[grey]{name}[/]"), new Markup(markup));

        Row("id", Markup.Escape(status.Id));
        Row("kind", Markup.Escape(status.Kind));
        Row("input", Markup.Escape(status.Input));
        Row("state", StateMarkup(status.State));
        Row("progress", $"{Percent(status.Progress)} ({status.SplitsDone}/{status.SplitsTotal} splits, {Bytes(status.BytesRead)} of {Bytes(status.BytesTotal)})");
        Row("records", Number(status.RecordsRead));
        Row("bad records", status.BadRecords > 0 ? $"[yellow]{Number(status.BadRecords)}[/]" : "0");
        Row("retries / resumes", $"{status.Retries} / {status.Resumes}");
        Row("submitted", status.SubmittedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", s_invariant));
        Row(status.FinishedAt is null ? "running for" : "took", Duration(Elapsed(status)));
        if (status.FinishedAt is not null)
        {
            Row("phases", $"plan {status.PlanningMs.ToString("0", s_invariant)} ms · map {status.MapMs.ToString("0", s_invariant)} ms · merge {status.MergeMs.ToString("0", s_invariant)} ms");
        }

        if (!string.IsNullOrEmpty(status.Error))
        {
            Row("error", $"[red]{Markup.Escape(status.Error)}[/]");
        }

        console.Write(grid);
    }

    public static void JobList(IAnsiConsole console, JobListView list)
    {
        if (list.Jobs.Count == 0)
        {
            console.WriteLine("No jobs.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("id").AddColumn("kind").AddColumn("state").AddColumn(new TableColumn("progress").RightAligned())
            .AddColumn(new TableColumn("records").RightAligned()).AddColumn("submitted (UTC)").AddColumn(new TableColumn("duration").RightAligned());
        foreach (var job in list.Jobs)
        {
            table.AddRow(
                Markup.Escape(job.Id), Markup.Escape(job.Kind), StateMarkup(job.State), Percent(job.Progress), Number(job.RecordsRead),
                job.SubmittedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", s_invariant), Duration(Elapsed(job)));
        }

        console.Write(table);
    }

    /// <summary>The result as tables: the kind's rows (at most <paramref name="maxRows"/>) and the bad-record summary.</summary>
    public static void Result(IAnsiConsole console, JobResultView result, int maxRows)
    {
        if (result.WordCount is { } words)
        {
            console.MarkupLine($"[bold]{Number(words.TotalWords)}[/] words, [bold]{Number(words.DistinctWords)}[/] distinct, in {Number(result.Records)} records ({result.Splits} splits)");
            var table = new Table().Border(TableBorder.Rounded).Title("top words")
                .AddColumn(new TableColumn("#").RightAligned()).AddColumn("word").AddColumn(new TableColumn("count").RightAligned());
            var rank = 0;
            foreach (var row in words.Words.Take(maxRows))
            {
                table.AddRow((++rank).ToString(s_invariant), Markup.Escape(row.Word), Number(row.Count));
            }

            console.Write(table);
            More(console, words.Words.Count, maxRows, words.DistinctWords, "words");
        }
        else if (result.GroupBy is { } groups)
        {
            console.MarkupLine($"[bold]{Number(groups.Groups)}[/] groups from {Number(result.Records)} records ({result.Splits} splits)");
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var key in groups.KeyColumns)
            {
                table.AddColumn(Markup.Escape(key));
            }

            foreach (var aggregate in groups.Aggregates)
            {
                table.AddColumn(new TableColumn(Markup.Escape(aggregate)).RightAligned());
            }

            foreach (var row in groups.Rows.Take(maxRows))
            {
                var cells = new List<string>(row.Key.Count + row.Values.Count);
                cells.AddRange(row.Key.Select(k => k is null ? "[grey]null[/]" : Markup.Escape(k))); // a JSON null key, apart from ""
                cells.AddRange(row.Values.Select(v => v is null ? "[grey]–[/]" : v.Value.ToString("#,0.######", s_invariant)));
                while (cells.Count < table.Columns.Count)
                {
                    cells.Add("");
                }

                table.AddRow([.. cells.Take(table.Columns.Count)]);
            }

            if (table.Columns.Count > 0)
            {
                console.Write(table);
            }

            More(console, groups.Rows.Count, maxRows, groups.Groups, "groups");
        }
        else if (result.FilterCount is { } filter)
        {
            console.MarkupLine($"[bold]{Number(filter.Matches)}[/] matching of {Number(filter.Lines)} records ({result.Splits} splits)");
            if (filter.Samples.Count > 0)
            {
                var table = new Table().Border(TableBorder.Rounded).Title("first matches")
                    .AddColumn("file").AddColumn(new TableColumn("offset").RightAligned()).AddColumn("record");
                foreach (var match in filter.Samples.Take(maxRows))
                {
                    table.AddRow(Markup.Escape(Path.GetFileName(match.Path)), Number(match.Offset), Markup.Escape(Truncate(match.Line, 100)));
                }

                console.Write(table);
            }
        }
        else if (result.Custom is { } custom)
        {
            console.MarkupLine($"{Number(result.Records)} records ({result.Splits} splits); result of [bold]{Markup.Escape(result.Kind)}[/]:");
            console.WriteLine(custom.ToString());
        }
        else
        {
            console.MarkupLine($"{Number(result.Records)} records ({result.Splits} splits); the API sent no result rows.");
        }

        BadRecords(console, result.BadRecords, maxRows);
    }

    public static void BadRecords(IAnsiConsole console, BadRecordsView bad, int maxRows)
    {
        if (bad.Count == 0)
        {
            console.MarkupLine("[grey]no bad records[/]");
            return;
        }

        console.MarkupLine($"[yellow]{Number(bad.Count)} bad records[/] (skipped)");
        if (bad.Samples.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("bad records")
            .AddColumn("file").AddColumn(new TableColumn("offset").RightAligned()).AddColumn("reason");
        foreach (var sample in bad.Samples.Take(Math.Min(maxRows, 10)))
        {
            table.AddRow(Markup.Escape(Path.GetFileName(sample.Path)), Number(sample.Offset), Markup.Escape(Truncate(sample.Reason, 100)));
        }

        console.Write(table);
    }

    public static void Cluster(IAnsiConsole console, ClusterView cluster)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"cluster {Markup.Escape(cluster.ClusterId)}: {cluster.Silos.Count} silos, {Number(cluster.TotalActivations)} activations")
            .AddColumn("silo").AddColumn("address").AddColumn("status").AddColumn(new TableColumn("activations").RightAligned())
            .AddColumn(new TableColumn("CPU").RightAligned()).AddColumn(new TableColumn("memory").RightAligned())
            .AddColumn("up since (UTC)").AddColumn("busiest grain types");
        foreach (var silo in cluster.Silos)
        {
            var status = silo.Status.ToLowerInvariant() switch
            {
                "active" => "[green]active[/]",
                "dead" => "[red]dead[/]",
                var other => $"[yellow]{Markup.Escape(other)}[/]",
            };
            var types = string.Join(", ", silo.ActivationsByType.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(3).Select(p => $"{p.Key} {p.Value}"));
            table.AddRow(
                Markup.Escape(silo.Name), Markup.Escape(silo.Address), status,
                silo.Activations is { } a ? Number(a) : "[grey]–[/]",
                silo.CpuUsage is { } cpu ? cpu.ToString("0.0", s_invariant) + " %" : "[grey]–[/]",
                silo.MemoryUsageBytes is { } memory ? Bytes(memory) : "[grey]–[/]",
                silo.StartedAt?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", s_invariant) ?? "",
                Markup.Escape(types));
        }

        console.Write(table);
    }

    public static void Top(IAnsiConsole console, TopKeysView top)
    {
        if (top.Rows.Count == 0)
        {
            console.MarkupLine($"Dataset [bold]{Markup.Escape(top.Dataset)}[/] has no keys yet.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(top.Dataset)}: top {top.Rows.Count} by {Markup.Escape(top.Metric)}")
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("key").AddColumn(new TableColumn(Markup.Escape(top.Metric)).RightAligned())
            .AddColumn(new TableColumn("events").RightAligned());
        var rank = 0;
        foreach (var row in top.Rows)
        {
            table.AddRow((++rank).ToString(s_invariant), Markup.Escape(row.Key), Number(row.Score), Number(row.Totals.Events));
        }

        console.Write(table);
    }

    public static void Datasets(IAnsiConsole console, DatasetListView list)
    {
        if (list.Datasets.Count == 0)
        {
            console.WriteLine("No datasets yet (ocx ingest <file> --dataset NAME creates one).");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("dataset").AddColumn(new TableColumn("events").RightAligned()).AddColumn("last ingest (UTC)");
        foreach (var dataset in list.Datasets)
        {
            table.AddRow(Markup.Escape(dataset.Name), Number(dataset.Events),
                dataset.LastIngestAt?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", s_invariant) ?? "[grey]–[/]");
        }

        console.Write(table);
    }

    private static void More(IAnsiConsole console, int sent, int shown, long total, string what)
    {
        if (total > Math.Min(sent, shown))
        {
            console.MarkupLine($"[grey]showing {Math.Min(sent, shown)} of {Number(total)} {what} (--top N shows more; --json prints what the API sent)[/]");
        }
    }

    private static string Truncate(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
