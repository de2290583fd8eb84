using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Client;

/// <summary>
/// Source-generated System.Text.Json metadata for every API contract (camelCase, web defaults), so the
/// client serializes without reflection and trims cleanly.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobSubmission))]
[JsonSerializable(typeof(JobStatusView))]
[JsonSerializable(typeof(JobListView))]
[JsonSerializable(typeof(JobResultView))]
[JsonSerializable(typeof(EventView))]
[JsonSerializable(typeof(List<EventView>))]
[JsonSerializable(typeof(IngestResultView))]
[JsonSerializable(typeof(KeyTotalsView))]
[JsonSerializable(typeof(TopKeysView))]
[JsonSerializable(typeof(DatasetListView))]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(ApiProblem))]
public sealed partial class OcxJsonContext : JsonSerializerContext;
