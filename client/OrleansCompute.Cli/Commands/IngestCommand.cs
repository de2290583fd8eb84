using System.CommandLine;
using System.Diagnostics;
using System.Net;
using OrleansCompute.Client;
using OrleansCompute.Client.Contracts;
using Spectre.Console;

namespace OrleansCompute.Cli.Commands;

/// <summary>
/// <c>ocx ingest &lt;file&gt; --dataset D</c>: sends the file's events in batches, each with the next sequence of
/// one producer id. A batch that is not acknowledged (connection lost, timeout, 5xx, 429) is re-sent with the
/// same sequence, so the server counts it once whatever happened to the first attempt.
/// </summary>
public static class IngestCommand
{
    public static Command Create(CommandRunner runner)
    {
        var file = new Argument<FileInfo>("file") { Description = "NDJSON (one {\"key\":…,\"values\":{…}} per line) or a JSON array of events" };
        var dataset = new Option<string>("--dataset", "-d") { Description = "Dataset to ingest into", Required = true, HelpName = "name" };
        var producer = new Option<string?>("--producer") { Description = "Producer id (default: a new random one). Re-running the same file with the same producer re-sends the same batches, which the server does not count twice; another file needs a new producer id (or --start-sequence above the ones used): the server refuses other events under a used sequence", HelpName = "id" };
        var batch = new Option<int>("--batch") { Description = "Events per request", DefaultValueFactory = _ => 1000, HelpName = "N" };
        var startSequence = new Option<long>("--start-sequence") { Description = "Sequence of the first batch", DefaultValueFactory = _ => 1, HelpName = "N" };
        var retries = new Option<int>("--retries") { Description = "Re-sends of an unacknowledged batch before giving up", DefaultValueFactory = _ => 8, HelpName = "N" };
        var command = new Command("ingest", "Send events from a file to a dataset (exactly-once per producer and sequence)")
        {
            file, dataset, producer, batch, startSequence, retries,
        };

        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var path = context.Get(file);
            var batchSize = context.Get(batch);
            var maxRetries = context.Get(retries);
            var datasetName = context.Get(dataset)!.Trim();
            if (batchSize is < 1 or > 100_000)
            {
                throw new UsageException("--batch must be between 1 and 100000.");
            }

            if (maxRetries is < 0 or > 100)
            {
                throw new UsageException("--retries must be between 0 and 100.");
            }

            if (datasetName.Length == 0)
            {
                throw new UsageException("--dataset is empty.");
            }

            if (!path.Exists)
            {
                throw new UsageException($"{path.FullName}: no such file.");
            }

            var sender = new BatchSender(context.Client, datasetName,
                context.Get(producer) is { Length: > 0 } p ? p : $"ocx-{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..12]}",
                context.Get(startSequence), maxRetries);

            await using var stream = new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var stopwatch = Stopwatch.StartNew();
            if (context.Terminal.Interactive && !context.Json)
            {
                await context.Terminal.Out.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 40 }, new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask($"ingest {Markup.Escape(path.Name)}", maxValue: Math.Max(1, stream.Length));
                        await SendAllAsync(sender, stream, path.Name, batchSize, () =>
                        {
                            task.Value = stream.Position;
                            task.Description = $"ingest {Markup.Escape(path.Name)} · {Views.Number(sender.Summary.Events)} events";
                        }, cancellationToken);
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                await SendAllAsync(sender, stream, path.Name, batchSize, null, cancellationToken);
            }

            var summary = sender.Summary;
            summary.Seconds = stopwatch.Elapsed.TotalSeconds;
            if (context.Json)
            {
                CliJsonContext.Write(summary, CliJsonContext.Default.IngestSummary);
            }
            else
            {
                var rate = summary.Seconds > 0 ? summary.Events / summary.Seconds : 0;
                context.Terminal.Out.MarkupLine(
                    $"Ingested [bold]{Views.Number(summary.Events)}[/] events into [bold]{Markup.Escape(summary.Dataset)}[/] in {Views.Duration(stopwatch.Elapsed)} ({Views.Number((long)rate)} events/s): " +
                    $"{Views.Number(summary.Applied)} applied, {Views.Number(summary.Duplicates)} duplicates; {summary.Batches} {(summary.Batches == 1 ? "batch" : "batches")}, sequences {summary.FirstSequence}–{summary.LastSequence} of producer {Markup.Escape(summary.Producer)}" +
                    (summary.Retries > 0 ? $", {summary.Retries} re-sent" : ""));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task SendAllAsync(BatchSender sender, Stream stream, string name, int batchSize, Action? onBatch, CancellationToken cancellationToken)
    {
        var batch = new List<EventView>(batchSize);
        await foreach (var item in EventFile.ReadAsync(stream, name, cancellationToken))
        {
            batch.Add(item);
            if (batch.Count == batchSize)
            {
                await sender.SendAsync(batch, cancellationToken);
                batch = new List<EventView>(batchSize);
                onBatch?.Invoke();
            }
        }

        if (batch.Count > 0)
        {
            await sender.SendAsync(batch, cancellationToken);
            onBatch?.Invoke();
        }
    }

    /// <summary>Sends batches with consecutive sequences, re-sending each until it is acknowledged.</summary>
    internal sealed class BatchSender(OcxClient client, string dataset, string producer, long firstSequence, int maxRetries)
    {
        private long _next = firstSequence;

        public IngestSummary Summary { get; } = new() { Dataset = dataset, Producer = producer, FirstSequence = firstSequence, LastSequence = firstSequence - 1 };

        public async Task SendAsync(List<EventView> events, CancellationToken cancellationToken)
        {
            var sequence = _next++;
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var ack = await client.IngestAsync(dataset, producer, sequence, events, cancellationToken);
                    Summary.Batches++;
                    Summary.Events += events.Count;
                    Summary.Applied += ack.Applied;
                    Summary.Duplicates += ack.Duplicates;
                    Summary.LastSequence = sequence;
                    return;
                }
                catch (Exception ex) when (attempt < maxRetries && IsTransient(ex))
                {
                    Summary.Retries++;
                    Terminal.Note($"batch {sequence} not acknowledged ({ex.Message}); re-sending ({attempt + 1}/{maxRetries})");
                    var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 200 * (1 << Math.Min(attempt, 5))));
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OcxApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
                {
                    // The server keeps (producer, sequence) → content: this producer used the sequence for other events
                    // (typically: the same --producer on a new file). Re-running the same way would fail the same way.
                    Terminal.Note($"batch {sequence} refused: producer {producer} already sent other events as sequence {sequence}, so this file's events were not counted " +
                        $"({Views.Number(Summary.Events)} events before it were acknowledged). To send new events, use a new producer id (leave out --producer for a fresh one, " +
                        $"or e.g. --producer {producer}-{DateTime.UtcNow:yyyyMMdd}) or start above the sequences it used (--start-sequence, above the highest named below).");
                    throw;
                }
                catch (Exception ex) when (ex is OcxApiException or OcxConnectionException)
                {
                    Terminal.Note($"stopped at batch {sequence} (producer {producer}); {Views.Number(Summary.Events)} events were acknowledged. " +
                        $"Re-running with --producer {producer} is safe: acknowledged batches are not counted twice.");
                    throw;
                }
            }
        }

        private static bool IsTransient(Exception ex) => ex switch
        {
            OcxConnectionException => true,
            OcxApiException api => (int)api.StatusCode >= 500 || api.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout,
            _ => false,
        };
    }
}
