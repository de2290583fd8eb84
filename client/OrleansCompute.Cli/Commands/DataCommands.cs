using System.CommandLine;
using System.Diagnostics;
using Azure.Storage.Blobs;
using OrleansCompute.Cli.Blobs;
using Spectre.Console;

namespace OrleansCompute.Cli.Commands;

/// <summary>
/// <c>ocx data upload &lt;file|dir&gt; &lt;container/prefix&gt;</c>: puts job input data into Azure Blob Storage
/// (or Azurite) with <see cref="BlobUploader"/> (the Azure SDK, <c>Azure.Storage.Blobs</c>), so a job can then read it as
/// <c>blob:container/prefix</c>. It talks to the storage account directly, not to the OrleansCompute API, so
/// <c>--url</c> and <c>--api-key</c> do not apply.
/// </summary>
public static class DataCommands
{
    public const string ConnectionStringVariable = "OCX_BLOB_CONNECTION_STRING";
    public const string AzureConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    public static Command Create(GlobalOptions globals)
    {
        var source = new Argument<string>("source") { Description = "A file, or a directory (every file below it, symbolic links to directories not followed)" };
        var destination = new Argument<string>("destination") { Description = "container/prefix: a directory's files go to prefix/relative/path; a file goes to the blob 'prefix', or prefix + file name when the prefix is empty or ends with '/'" };
        var connection = new Option<string?>("--connection-string")
        {
            Description = $"Azure Storage connection string [env: {ConnectionStringVariable}, then {AzureConnectionStringVariable}] (UseDevelopmentStorage=true for a local Azurite)",
            HelpName = "text",
        };
        var parallel = new Option<int>("--parallel") { Description = "Transfers at once (1–64): files, and the blocks of a large file", DefaultValueFactory = _ => 4, HelpName = "N" };
        var noMd5 = new Option<bool>("--no-md5") { Description = "Do not send MD5 checksums (the service checks each request's and stores the file's otherwise)" };
        var noOverwrite = new Option<bool>("--no-overwrite") { Description = "Fail instead of replacing a blob that already exists" };
        var upload = new Command("upload", "Upload a file or a directory tree to blob storage (then run a job on blob:container/prefix)")
        {
            source, destination, connection, parallel, noMd5, noOverwrite,
        };
        upload.SetAction((parse, cancellationToken) => UploadAsync(
            parse.GetValue(source)!, parse.GetValue(destination)!, parse.GetValue(connection), parse.GetValue(parallel),
            !parse.GetValue(noMd5), !parse.GetValue(noOverwrite), parse.GetValue(globals.Json), cancellationToken));

        return new Command("data", "Job input data in Azure Blob Storage") { upload };
    }

    private static async Task<int> UploadAsync(
        string source, string destination, string? connectionString, int parallel, bool md5, bool overwrite, bool json, CancellationToken cancellationToken)
    {
        var text = NonEmpty(connectionString) ?? NonEmpty(Environment.GetEnvironmentVariable(ConnectionStringVariable))
            ?? NonEmpty(Environment.GetEnvironmentVariable(AzureConnectionStringVariable));
        if (text is null)
        {
            Terminal.Error($"No blob storage connection string: pass --connection-string or set {ConnectionStringVariable} (or {AzureConnectionStringVariable}).");
            return ExitCodes.Usage;
        }

        BlobServiceClient service;
        try
        {
            service = BlobUploader.CreateService(text);
        }
        catch (FormatException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.Usage;
        }

        if (parallel is < 1 or > 64)
        {
            Terminal.Error("--parallel must be between 1 and 64.");
            return ExitCodes.Usage;
        }

        var terminal = new Terminal();
        var account = $"account '{service.AccountName}' at {service.Uri.AbsoluteUri.TrimEnd('/')}";
        var uploader = new BlobUploader(service) { MaxParallelism = parallel, ComputeMd5 = md5, Overwrite = overwrite };
        var stopwatch = Stopwatch.StartNew();
        try
        {
            // Checked here (not only inside UploadAsync) for the input name and the progress bar's total.
            var (container, prefix) = BlobUploader.ParseDestination(destination);
            var plan = BlobUploader.Plan(source, prefix);
            if (plan.Count == 0)
            {
                Terminal.Error($"'{source}' is an empty directory: nothing to upload.");
                return ExitCodes.Usage;
            }

            IReadOnlyList<BlobUpload> uploads;
            if (terminal.Interactive && !json)
            {
                var total = plan.Sum(p => new FileInfo(p.File).Length);
                uploads = [];
                await terminal.Out.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 40 }, new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask($"upload to {Markup.Escape(container)}", maxValue: Math.Max(1, total));
                        var files = 0;
                        var gate = new Lock();
                        uploads = await uploader.UploadAsync(source, destination,
                            uploaded: _ =>
                            {
                                lock (gate)
                                {
                                    files++;
                                    task.Description = $"upload to {Markup.Escape(container)} · {files}/{plan.Count} files";
                                }
                            },
                            bytes: sent =>
                            {
                                lock (gate)
                                {
                                    task.Increment(sent);
                                }
                            },
                            cancellationToken: cancellationToken);
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                // Redirected: one line per file on standard error (none with --json, whose output is the summary).
                uploads = await uploader.UploadAsync(source, destination,
                    json ? null : u => Terminal.Note($"{u.File} -> {u.Container}/{u.BlobName} ({Views.Bytes(u.Bytes)})"), cancellationToken: cancellationToken);
            }

            var summary = new UploadSummary
            {
                Container = container,
                Prefix = prefix,
                Input = InputFor(container, prefix, source, uploads),
                Files = uploads.Count,
                Bytes = uploads.Sum(u => u.Bytes),
                Seconds = stopwatch.Elapsed.TotalSeconds,
                Blobs = [.. uploads.Select(u => new UploadedBlob { File = u.File, Blob = u.BlobName, Bytes = u.Bytes })],
            };
            if (json)
            {
                CliJsonContext.Write(summary, CliJsonContext.Default.UploadSummary);
            }
            else
            {
                var rate = summary.Seconds > 0 ? summary.Bytes / summary.Seconds : 0;
                var line = $"Uploaded {Views.Number(summary.Files)} {(summary.Files == 1 ? "file" : "files")}, {Views.Bytes(summary.Bytes)} ({Views.Number(summary.Bytes)} bytes) " +
                    $"to {account} in {Views.Duration(stopwatch.Elapsed)} ({Views.Bytes((long)rate)}/s).";
                if (terminal.Interactive)
                {
                    terminal.Out.MarkupLine(Markup.Escape(line));
                    terminal.Out.MarkupLine($"Job input: [bold]{Markup.Escape(summary.Input)}[/]");
                }
                else
                {
                    // Plain lines, never wrapped, for scripts.
                    Terminal.Json.WriteLine(line);
                    Terminal.Json.WriteLine("Job input: " + summary.Input);
                }
            }

            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Terminal.Error("interrupted (files already uploaded stay in the container).");
            return ExitCodes.Interrupted;
        }
        catch (BlobTransferException ex) when (ex.IsAuthorizationFailure)
        {
            Terminal.Error($"{ex.Message} (storage refused the request: check the account name and key of the connection string, from --connection-string, {ConnectionStringVariable} or {AzureConnectionStringVariable})");
            return ExitCodes.AuthError;
        }
        catch (BlobTransferException ex) when (ex.Status is null)
        {
            Terminal.Error($"{ex.Message} (is the blob endpoint {service.Uri.AbsoluteUri.TrimEnd('/')} reachable?)");
            return ExitCodes.CannotConnect;
        }
        catch (BlobTransferException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.ApiError;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // Bad destination, missing or unreadable source, a blob name too long: nothing about the service.
            Terminal.Error(ex.Message);
            return ExitCodes.Usage;
        }
    }

    /// <summary>The job input that names exactly what was uploaded.</summary>
    private static string InputFor(string container, string prefix, string source, IReadOnlyList<BlobUpload> uploads) =>
        File.Exists(source) && uploads.Count == 1
            ? $"blob:{container}/{uploads[0].BlobName}"
            : $"blob:{container}/{(prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/")}";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
