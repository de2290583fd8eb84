using System.CommandLine;
using System.Net;
using OrleansCompute.Client;
using OrleansCompute.Client.Contracts;
using Spectre.Console;

namespace OrleansCompute.Cli.Commands;

/// <summary><c>ocx job run|status|result|cancel|delete|list</c>.</summary>
public static class JobCommands
{
    private const int DefaultRows = 20;
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create(CommandRunner runner)
    {
        var job = new Command("job", "Submit, watch, inspect and cancel batch jobs");
        job.Subcommands.Add(Run(runner));
        job.Subcommands.Add(Status(runner));
        job.Subcommands.Add(Result(runner));
        job.Subcommands.Add(Cancel(runner));
        job.Subcommands.Add(Delete(runner));
        job.Subcommands.Add(List(runner));
        return job;
    }

    private static Command Run(CommandRunner runner)
    {
        var kind = new Argument<string>("kind") { Description = "wordcount, groupby, topk, filter, or a kind registered in the silo" };
        var input = new Argument<string>("input")
        {
            Description = "File, directory or glob under the silo's data roots. An existing local path is sent as an absolute path; anything else as typed (relative to the first data root)",
        };
        var format = new Option<string?>("--format") { Description = "Input format: text (default), csv or jsonl", HelpName = "csv|jsonl|text" };
        var delimiter = new Option<string?>("--delimiter") { Description = "CSV delimiter (one character; default ,)", HelpName = "char" };
        var noHeader = new Option<bool>("--no-header") { Description = "CSV files have no header row (then --key takes 0-based column indexes)" };
        var splitSize = new Option<string?>("--split-size") { Description = "Target split size, e.g. 4m (default 64m); smaller splits = finer progress", HelpName = "size" };
        var keys = new Option<string[]>("--key") { Description = "Group-by key column (repeatable)", HelpName = "column" };
        var aggregates = new Option<string[]>("--agg") { Description = "Aggregate function:column — count, sum, min, max, mean (repeatable), e.g. --agg mean:delay", HelpName = "fn:column" };
        var top = new Option<int?>("--top") { Description = "Keep the top N rows (topk; also word counts and groups); also how many rows are shown", HelpName = "N" };
        var orderBy = new Option<string?>("--order-by") { Description = "Aggregate to rank by, e.g. count or mean(delay) (default count)", HelpName = "aggregate" };
        var ascending = new Option<bool>("--ascending") { Description = "Smallest first (default: largest first)" };
        var pattern = new Option<string?>("--pattern") { Description = "filter: text to look for in each record", HelpName = "text" };
        var regex = new Option<bool>("--regex") { Description = "filter: --pattern is a regular expression" };
        var caseSensitive = new Option<bool>("--case-sensitive") { Description = "filter: match case (default: ignore case)" };
        var maxBad = new Option<long?>("--max-bad-records") { Description = "Fail the job when more records than this are bad (default: no limit)", HelpName = "N" };
        var id = new Option<string?>("--id") { Description = "Job id (default: the server makes one); re-submitting the same spec under the same id is idempotent", HelpName = "id" };
        var serverPath = new Option<bool>("--server-path") { Description = "Send <input> exactly as typed (a path on the silo's machine), without resolving local paths" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow the job with a progress bar until it ends, then print the result" };

        var command = new Command("run", "Submit a job; with --watch, follow it and print the result")
        {
            kind, input, format, delimiter, noHeader, splitSize, keys, aggregates, top, orderBy, ascending,
            pattern, regex, caseSensitive, maxBad, id, serverPath, watch,
        };

        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var submission = JobSpec.Build(new JobRunArguments
            {
                Kind = context.Get(kind),
                Input = context.Get(input),
                ServerPath = context.Get(serverPath),
                Format = context.Get(format),
                Delimiter = context.Get(delimiter),
                NoHeader = context.Get(noHeader),
                SplitSize = context.Get(splitSize),
                Keys = context.Get(keys) ?? [],
                Aggregates = context.Get(aggregates) ?? [],
                Top = context.Get(top),
                OrderBy = context.Get(orderBy),
                Ascending = context.Get(ascending),
                Pattern = context.Get(pattern),
                Regex = context.Get(regex),
                CaseSensitive = context.Get(caseSensitive),
                MaxBadRecords = context.Get(maxBad),
                Id = context.Get(id),
            }, ResolveLocalInput);

            var status = await context.Client.SubmitJobAsync(submission, cancellationToken);
            if (!context.Get(watch))
            {
                if (context.Json)
                {
                    CliJsonContext.Write(status, CliJsonContext.Default.JobStatusView);
                }
                else
                {
                    Console.Out.WriteLine(status.Id);
                    if (context.Terminal.Interactive)
                    {
                        Terminal.Note($"submitted; follow it with: ocx job status {status.Id}   (or run with --watch)");
                    }
                }

                return ExitCodes.Ok;
            }

            return await WatchAsync(context, status, context.Get(top) ?? DefaultRows, cancellationToken);
        });
        return command;
    }

    /// <summary>Follows a job to its end, then prints its result (completed: exit 0) or its error (exit 1).</summary>
    private static async Task<int> WatchAsync(CommandContext context, JobStatusView submitted, int rows, CancellationToken cancellationToken)
    {
        JobStatusView final;
        try
        {
            if (context.Json)
            {
                final = await context.Client.WaitForJobAsync(submitted.Id, null, s_pollInterval, cancellationToken);
            }
            else if (context.Terminal.Interactive)
            {
                final = await WatchWithProgressBarAsync(context, submitted, cancellationToken);
            }
            else
            {
                final = await WatchWithLinesAsync(context, submitted, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Terminal.Error($"stopped watching job {submitted.Id}; it keeps running (ocx job status {submitted.Id}, ocx job cancel {submitted.Id}).");
            return ExitCodes.Interrupted;
        }

        if (!string.Equals(final.State, JobStates.Completed, StringComparison.OrdinalIgnoreCase))
        {
            if (context.Json)
            {
                CliJsonContext.Write(new JobRunOutput { Status = final }, CliJsonContext.Default.JobRunOutput);
            }
            else
            {
                Views.Status(context.Terminal.Out, final);
            }

            Terminal.Error($"job {final.Id} {final.State}" + (string.IsNullOrEmpty(final.Error) ? "." : $": {final.Error}"));
            return ExitCodes.JobFailed;
        }

        var result = await context.Client.GetJobResultAsync(final.Id, cancellationToken);
        if (context.Json)
        {
            CliJsonContext.Write(new JobRunOutput { Status = final, Result = result }, CliJsonContext.Default.JobRunOutput);
            return ExitCodes.Ok;
        }

        var console = context.Terminal.Out;
        console.MarkupLine($"Job [bold]{Markup.Escape(final.Id)}[/] {Views.StateMarkup(final.State)} in {Views.Duration(Views.Elapsed(final))}: {Views.Number(final.RecordsRead)} records, {Views.Bytes(final.BytesRead)}, {final.SplitsTotal} splits");
        Views.Result(console, result, rows);
        return ExitCodes.Ok;
    }

    private static async Task<JobStatusView> WatchWithProgressBarAsync(CommandContext context, JobStatusView submitted, CancellationToken cancellationToken)
    {
        JobStatusView final = submitted;
        await context.Terminal.Out.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            // Keep the whole row on one line: the bar gets what the description and the other columns leave.
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn { Width = Math.Clamp(context.Terminal.Out.Profile.Width - Markup.Remove(Describe(submitted)).Length - 36, 10, 40) },
                new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Describe(submitted), maxValue: 100);
                final = await context.Client.WaitForJobAsync(submitted.Id, status =>
                {
                    task.Description = Describe(status);
                    task.Value = Math.Clamp(status.Progress, 0, 1) * 100;
                    if (JobStates.IsTerminal(status.State))
                    {
                        if (string.Equals(status.State, JobStates.Completed, StringComparison.OrdinalIgnoreCase))
                        {
                            task.Value = 100;
                        }

                        task.StopTask();
                    }
                }, s_pollInterval, cancellationToken);
            });
        return final;

        static string Describe(JobStatusView status) =>
            $"[bold]{Markup.Escape(status.Id)}[/] {Views.StateMarkup(status.State)} {status.SplitsDone}/{Math.Max(status.SplitsTotal, 0)} splits";
    }

    /// <summary>Redirected output: one plain progress line on standard error per state change or 10 % step.</summary>
    private static Task<JobStatusView> WatchWithLinesAsync(CommandContext context, JobStatusView submitted, CancellationToken cancellationToken)
    {
        var lastState = "";
        var lastStep = -1;
        return context.Client.WaitForJobAsync(submitted.Id, status =>
        {
            var step = (int)(Math.Clamp(status.Progress, 0, 1) * 10);
            if (status.State != lastState || step != lastStep)
            {
                lastState = status.State;
                lastStep = step;
                Terminal.Note($"job {status.Id}: {Views.ProgressLine(status)}");
            }
        }, s_pollInterval, cancellationToken);
    }

    private static Command Status(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var command = new Command("status", "Show a job's state and progress") { id };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var status = await context.Client.GetJobAsync(context.Get(id), cancellationToken);
            if (context.Json)
            {
                CliJsonContext.Write(status, CliJsonContext.Default.JobStatusView);
            }
            else
            {
                Views.Status(context.Terminal.Out, status);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Result(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var top = new Option<int?>("--top") { Description = $"Rows to show (default {DefaultRows})", HelpName = "N" };
        var command = new Command("result", "Print a completed job's result (exit 1 if the job failed or was cancelled)") { id, top };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var jobId = context.Get(id);
            JobResultView result;
            try
            {
                result = await context.Client.GetJobResultAsync(jobId, cancellationToken);
            }
            catch (OcxApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                // No result: say why in terms of the job's state.
                var status = await context.Client.GetJobAsync(jobId, cancellationToken);
                if (status.State is JobStates.Failed or JobStates.Cancelled)
                {
                    Terminal.Error($"job {status.Id} {status.State}" + (string.IsNullOrEmpty(status.Error) ? "; it has no result." : $": {status.Error}"));
                    return ExitCodes.JobFailed;
                }

                throw;
            }

            if (context.Json)
            {
                CliJsonContext.Write(result, CliJsonContext.Default.JobResultView);
            }
            else
            {
                Views.Result(context.Terminal.Out, result, context.Get(top) ?? DefaultRows);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Cancel(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var command = new Command("cancel", "Cancel a queued or running job") { id };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var status = await context.Client.CancelJobAsync(context.Get(id), cancellationToken);
            if (context.Json)
            {
                CliJsonContext.Write(status, CliJsonContext.Default.JobStatusView);
            }
            else
            {
                context.Terminal.Out.MarkupLine($"Job [bold]{Markup.Escape(status.Id)}[/]: {Views.StateMarkup(status.State)}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var command = new Command("delete", "Delete a finished job: its status, splits and result (cancel a running job first)") { id };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var jobId = context.Get(id);
            await context.Client.DeleteJobAsync(jobId, cancellationToken: cancellationToken);
            if (context.Json)
            {
                CliJsonContext.Write(new JobDeleted { Id = jobId, Deleted = true }, CliJsonContext.Default.JobDeleted);
            }
            else
            {
                context.Terminal.Out.MarkupLine($"Job [bold]{Markup.Escape(jobId)}[/] deleted");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var limit = new Option<int?>("--limit") { Description = "How many jobs (server default 50, at most 1000)", HelpName = "N" };
        var command = new Command("list", "List jobs, most recent first") { limit };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var list = await context.Client.ListJobsAsync(context.Get(limit), cancellationToken);
            if (context.Json)
            {
                CliJsonContext.Write(list, CliJsonContext.Default.JobListView);
            }
            else
            {
                Views.JobList(context.Terminal.Out, list);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>An existing local file or directory (or a glob whose folder exists) becomes an absolute path.</summary>
    internal static string ResolveLocalInput(string input)
    {
        if (Path.IsPathRooted(input))
        {
            return input;
        }

        if (File.Exists(input) || Directory.Exists(input))
        {
            return Path.GetFullPath(input);
        }

        if (input.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            var folder = Path.GetDirectoryName(input);
            if (!string.IsNullOrEmpty(folder) && folder.AsSpan().IndexOfAny('*', '?') < 0 && Directory.Exists(folder))
            {
                return Path.GetFullPath(input);
            }

            if (string.IsNullOrEmpty(folder) && Directory.EnumerateFileSystemEntries(".", input).Any())
            {
                return Path.GetFullPath(input);
            }
        }

        return input;
    }
}
