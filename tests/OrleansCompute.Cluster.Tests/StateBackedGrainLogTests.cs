using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Storage;

namespace OrleansCompute.Cluster.Tests;

/// <summary>
/// The fallback log that streaming partitions use on providers without <see cref="IGrainLogStorage"/>
/// (Redis, Azure): snapshot + records in one ETag-checked state record.
/// </summary>
public sealed class StateBackedGrainLogTests
{
    private static readonly GrainId s_grain = GrainId.Create("streampartition", "ds/3");

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Records_and_snapshots_read_back_through_a_new_instance_as_a_new_activation_would()
    {
        var storage = new PlainStorage();
        var first = new StateBackedGrainLog(storage);
        Assert.Equal(0, (await first.ReadLogAsync("log", s_grain)).LastSequence);
        await first.AppendLogAsync("log", s_grain, 1, Bytes("r1"));
        await first.AppendLogAsync("log", s_grain, 2, Bytes("r2"));
        await first.WriteLogSnapshotAsync("log", s_grain, 1, Bytes("at1"));
        await first.AppendLogAsync("log", s_grain, 3, Bytes("r3"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => first.AppendLogAsync("log", s_grain, 5, Bytes("gap")));

        var log = await new StateBackedGrainLog(storage).ReadLogAsync("log", s_grain);
        Assert.Equal(1, log.SnapshotSequence);
        Assert.Equal("at1", Encoding.UTF8.GetString(log.Snapshot!.Value.Span));
        Assert.Equal([2L, 3L], log.Records.Select(r => r.Sequence));
        Assert.Equal(["r2", "r3"], log.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
    }

    [Fact]
    public async Task A_stale_activation_cannot_append_after_a_newer_one_wrote()
    {
        var storage = new PlainStorage();
        var stale = new StateBackedGrainLog(storage);
        await stale.ReadLogAsync("log", s_grain);
        await stale.AppendLogAsync("log", s_grain, 1, Bytes("r1"));

        var newer = new StateBackedGrainLog(storage);
        await newer.ReadLogAsync("log", s_grain);
        await newer.AppendLogAsync("log", s_grain, 2, Bytes("newer"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => stale.AppendLogAsync("log", s_grain, 2, Bytes("stale")));
        var log = await new StateBackedGrainLog(storage).ReadLogAsync("log", s_grain);
        Assert.Equal(["r1", "newer"], log.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
    }

    /// <summary>
    /// A provider with only the plain <see cref="IGrainStorage"/> contract (no log capability): each record is kept as
    /// Orleans-serialized bytes (so every reader gets its own copy) with an ETag that every write must present.
    /// </summary>
    private sealed class PlainStorage : IGrainStorage
    {
        private static readonly Serializer s_serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        private readonly Dictionary<(string, GrainId), (string ETag, byte[] Bytes)> _records = [];
        private int _version;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (_records.TryGetValue((stateName, grainId), out var record))
            {
                grainState.State = s_serializer.Deserialize<T>(record.Bytes);
                grainState.ETag = record.ETag;
                grainState.RecordExists = true;
            }
            else
            {
                grainState.State = Activator.CreateInstance<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            CheckETag(stateName, grainId, grainState.ETag);
            var etag = (++_version).ToString(CultureInfo.InvariantCulture);
            _records[(stateName, grainId)] = (etag, s_serializer.SerializeToArray(grainState.State));
            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            CheckETag(stateName, grainId, grainState.ETag);
            _records.Remove((stateName, grainId));
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        private void CheckETag(string stateName, GrainId grainId, string? etag)
        {
            var stored = _records.TryGetValue((stateName, grainId), out var record) ? record.ETag : null;
            if (stored != etag)
            {
                throw new InconsistentStateException($"ETag {etag ?? "(none)"} does not match the stored {stored ?? "(none)"}", stored ?? "", etag ?? "");
            }
        }
    }
}
