using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>Source-generated JSON for every contract (camelCase, case-insensitive reading): no reflection per request.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, ReadCommentHandling = JsonCommentHandling.Disallow,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(JobSubmission))]
[JsonSerializable(typeof(JobStatusView))]
[JsonSerializable(typeof(JobListView))]
[JsonSerializable(typeof(JobResultView))]
[JsonSerializable(typeof(JobSplitsView))]
[JsonSerializable(typeof(EventView))]
[JsonSerializable(typeof(List<EventView>))]
[JsonSerializable(typeof(IngestResultView))]
[JsonSerializable(typeof(KeyTotalsView))]
[JsonSerializable(typeof(TopKeysView))]
[JsonSerializable(typeof(DatasetListView))]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(ClusterMetricsView))]
[JsonSerializable(typeof(HealthView))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
