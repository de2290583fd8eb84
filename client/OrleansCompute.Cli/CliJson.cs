using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli;

/// <summary>What <c>ocx job run --watch --json</c> prints: the final status and, when it completed, the result.</summary>
public sealed class JobRunOutput
{
    public JobStatusView Status { get; set; } = new();

    public JobResultView? Result { get; set; }
}

/// <summary>What <c>ocx ingest --json</c> prints.</summary>
/// <summary><c>ocx job delete --json</c>.</summary>
public sealed class JobDeleted
{
    public string Id { get; set; } = "";

    public bool Deleted { get; set; }
}

public sealed class IngestSummary
{
    public string Dataset { get; set; } = "";

    public string Producer { get; set; } = "";

    public long FirstSequence { get; set; }

    public long LastSequence { get; set; }

    public int Batches { get; set; }

    public long Events { get; set; }

    public long Applied { get; set; }

    public long Duplicates { get; set; }

    /// <summary>Batches re-sent (same sequence) after a failure or a lost acknowledgement.</summary>
    public int Retries { get; set; }

    public double Seconds { get; set; }
}

/// <summary>What <c>ocx data upload --json</c> prints.</summary>
public sealed class UploadSummary
{
    public string Container { get; set; } = "";

    /// <summary>The blob-name prefix the upload wrote under ("" for the container's root).</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The job input naming what was uploaded: <c>blob:container/prefix</c> (or the one blob of a file upload).</summary>
    public string Input { get; set; } = "";

    public int Files { get; set; }

    public long Bytes { get; set; }

    public double Seconds { get; set; }

    public List<UploadedBlob> Blobs { get; set; } = [];
}

/// <summary>One file of <see cref="UploadSummary"/>.</summary>
public sealed class UploadedBlob
{
    public string File { get; set; } = "";

    public string Blob { get; set; } = "";

    public long Bytes { get; set; }
}

/// <summary>Indented camelCase JSON for <c>--json</c> output (the API's own shapes).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(JobStatusView))]
[JsonSerializable(typeof(JobListView))]
[JsonSerializable(typeof(JobResultView))]
[JsonSerializable(typeof(JobRunOutput))]
[JsonSerializable(typeof(JobDeleted))]
[JsonSerializable(typeof(IngestSummary))]
[JsonSerializable(typeof(UploadSummary))]
[JsonSerializable(typeof(TopKeysView))]
[JsonSerializable(typeof(DatasetListView))]
[JsonSerializable(typeof(ClusterView))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    public static void Write<T>(T value, JsonTypeInfo<T> type)
    {
        Terminal.Json.WriteLine(JsonSerializer.Serialize(value, type));
    }
}
