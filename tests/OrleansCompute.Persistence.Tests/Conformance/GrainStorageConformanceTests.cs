using System.Security.Cryptography;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansCompute.Persistence.Tests.Support;

namespace OrleansCompute.Persistence.Tests.Conformance;

/// <summary>
/// Orleans's <see cref="IGrainStorage"/> contract as the product relies on it, written once and run against every
/// provider we ship (today the SQLite one): a provider's test
/// class derives from this and implements <see cref="CreateStorageAsync"/> (and, if it owns resources,
/// overrides <see cref="DisposeAsync"/>). Every test uses fresh grain ids and state names, so providers backed
/// by a shared file or server can run the suite against one database without cleaning between tests.
/// </summary>
public abstract class GrainStorageConformanceTests : IAsyncLifetime
{
    private IGrainStorage? _storage;

    /// <summary>The provider under test (created before each test).</summary>
    protected IGrainStorage Storage => _storage ?? throw new InvalidOperationException("The storage is created in InitializeAsync.");

    /// <summary>Creates the provider under test. Called once per test.</summary>
    protected abstract Task<IGrainStorage> CreateStorageAsync();

    public virtual async Task InitializeAsync() => _storage = await CreateStorageAsync();

    public virtual async Task DisposeAsync()
    {
        switch (_storage)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    protected static GrainId NewGrainId(string type = "conformance") => GrainId.Create(type, Guid.NewGuid().ToString("N"));

    protected static string NewStateName() => "state-" + Guid.NewGuid().ToString("N")[..12];

    protected static ProfileState Profile(string name, int visits = 1) => new()
    {
        Name = name,
        Visits = visits,
        Tags = ["a", name],
        Counters = new() { ["hits"] = visits },
        Revision = visits,
    };

    protected async Task<GrainState<T>> ReadAsync<T>(string stateName, GrainId grainId)
    {
        var grainState = new GrainState<T>(default!);
        await Storage.ReadStateAsync(stateName, grainId, grainState);
        return grainState;
    }

    /// <summary>Writes <paramref name="state"/> as a first write (null ETag) and returns the grain state holding the new ETag.</summary>
    protected async Task<GrainState<T>> WriteNewAsync<T>(string stateName, GrainId grainId, T state)
    {
        var grainState = new GrainState<T>(state);
        await Storage.WriteStateAsync(stateName, grainId, grainState);
        return grainState;
    }

    private static void AssertSameProfile(ProfileState expected, ProfileState? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Visits, actual.Visits);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Counters, actual.Counters);
        Assert.Equal(expected.Blob, actual.Blob);
        Assert.Equal(expected.Revision, actual.Revision);
    }

    [Fact]
    public async Task Reading_missing_state_gives_a_new_default_state_no_etag_and_no_record()
    {
        var grainState = new GrainState<ProfileState>(Profile("left over"), "some-etag") { RecordExists = true };
        var before = grainState.State;

        await Storage.ReadStateAsync(NewStateName(), NewGrainId(), grainState);

        Assert.NotNull(grainState.State);
        Assert.NotSame(before, grainState.State);
        Assert.Equal("", grainState.State!.Name);
        Assert.Equal(0, grainState.State!.Visits);
        Assert.Empty(grainState.State!.Tags);
        Assert.Null(grainState.ETag);
        Assert.False(grainState.RecordExists);
    }

    [Fact]
    public async Task Each_read_of_missing_state_gives_its_own_instance()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();

        var first = await ReadAsync<ProfileState>(stateName, grainId);
        var second = await ReadAsync<ProfileState>(stateName, grainId);

        Assert.NotSame(first.State, second.State);
    }

    [Fact]
    public async Task Reading_missing_state_of_a_record_or_value_type_gives_defaults()
    {
        var record = await ReadAsync<PointRecord>(NewStateName(), NewGrainId());
        var number = await ReadAsync<int>(NewStateName(), NewGrainId());

        Assert.NotNull(record.State);
        Assert.Equal(0, record.State!.X);
        Assert.False(record.RecordExists);
        Assert.Equal(0, number.State);
        Assert.False(number.RecordExists);
    }

    [Fact]
    public async Task First_write_with_null_etag_succeeds_sets_etag_and_record_exists()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var written = Profile("alice", 3);

        var grainState = await WriteNewAsync(stateName, grainId, written);

        Assert.False(string.IsNullOrEmpty(grainState.ETag));
        Assert.True(grainState.RecordExists);
        var read = await ReadAsync<ProfileState>(stateName, grainId);
        AssertSameProfile(written, read.State);
        Assert.Equal(grainState.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Records_and_value_types_round_trip()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();

        await WriteNewAsync(stateName, grainId, new PointRecord(3, -4, "p"));
        var counterId = NewGrainId("counter");
        await WriteNewAsync(stateName, counterId, 42);

        Assert.Equal(new PointRecord(3, -4, "p"), (await ReadAsync<PointRecord>(stateName, grainId)).State);
        Assert.Equal(42, (await ReadAsync<int>(stateName, counterId)).State);
    }

    [Fact]
    public async Task Write_with_null_etag_over_an_existing_record_fails_and_keeps_the_stored_value()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var original = await WriteNewAsync(stateName, grainId, Profile("original"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteNewAsync(stateName, grainId, Profile("intruder")));

        var read = await ReadAsync<ProfileState>(stateName, grainId);
        Assert.Equal("original", read.State!.Name);
        Assert.Equal(original.ETag, read.ETag);
    }

    [Fact]
    public async Task Write_with_a_stale_etag_fails_and_leaves_the_stored_value_untouched()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var first = await WriteNewAsync(stateName, grainId, Profile("v1", 1));
        var staleETag = first.ETag;

        // Another activation (or silo) read v1 and wrote v2.
        var other = await ReadAsync<ProfileState>(stateName, grainId);
        other.State = Profile("v2", 2);
        await Storage.WriteStateAsync(stateName, grainId, other);

        var stale = new GrainState<ProfileState>(Profile("v3", 3), staleETag) { RecordExists = true };
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(stateName, grainId, stale));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        var read = await ReadAsync<ProfileState>(stateName, grainId);
        AssertSameProfile(Profile("v2", 2), read.State);
        Assert.Equal(other.ETag, read.ETag);
    }

    [Fact]
    public async Task Write_with_an_etag_when_no_record_exists_fails_and_stores_nothing()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var grainState = new GrainState<ProfileState>(Profile("ghost"), "etag-of-a-record-that-is-gone");

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(stateName, grainId, grainState));

        Assert.False((await ReadAsync<ProfileState>(stateName, grainId)).RecordExists);
    }

    [Fact]
    public async Task The_etag_changes_on_every_write()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var grainState = new GrainState<ProfileState>(Profile("x", 0));
        var seen = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < 10; i++)
        {
            grainState.State!.Visits = i;
            await Storage.WriteStateAsync(stateName, grainId, grainState);
            Assert.True(seen.Add(grainState.ETag!), $"write {i} reused ETag {grainState.ETag}");
        }

        var read = await ReadAsync<ProfileState>(stateName, grainId);
        Assert.Equal(9, read.State!.Visits);
        Assert.Equal(grainState.ETag, read.ETag);
    }

    [Fact]
    public async Task A_reader_gets_the_latest_etag_and_can_write_with_it_making_the_first_writer_stale()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var firstWriter = await WriteNewAsync(stateName, grainId, Profile("first"));

        var reader = await ReadAsync<ProfileState>(stateName, grainId);
        reader.State!.Visits = 99;
        await Storage.WriteStateAsync(stateName, grainId, reader);

        firstWriter.State!.Visits = 7;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(stateName, grainId, firstWriter));
        Assert.Equal(99, (await ReadAsync<ProfileState>(stateName, grainId)).State!.Visits);
    }

    [Fact]
    public async Task Mutating_the_state_object_after_a_write_does_not_change_what_is_stored()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var grainState = await WriteNewAsync(stateName, grainId, Profile("stored", 1));

        grainState.State!.Name = "mutated in memory";
        grainState.State!.Tags.Add("mutated");

        var read = await ReadAsync<ProfileState>(stateName, grainId);
        AssertSameProfile(Profile("stored", 1), read.State);
    }

    [Fact]
    public async Task State_names_are_independent_records_for_the_same_grain()
    {
        var grainId = NewGrainId();
        var profile = NewStateName();
        var settings = NewStateName();

        var profileState = await WriteNewAsync(profile, grainId, Profile("profile"));
        Assert.False((await ReadAsync<ProfileState>(settings, grainId)).RecordExists);

        var settingsState = await WriteNewAsync(settings, grainId, Profile("settings"));
        await Storage.ClearStateAsync(profile, grainId, profileState);

        Assert.False((await ReadAsync<ProfileState>(profile, grainId)).RecordExists);
        var read = await ReadAsync<ProfileState>(settings, grainId);
        Assert.Equal("settings", read.State!.Name);
        Assert.Equal(settingsState.ETag, read.ETag);
    }

    [Fact]
    public async Task Different_grains_are_independent_records()
    {
        var stateName = NewStateName();
        var key = Guid.NewGuid().ToString("N");
        var user = GrainId.Create("user", key);
        var sameKeyOtherType = GrainId.Create("account", key);
        var otherKey = GrainId.Create("user", key + "-2");

        await WriteNewAsync(stateName, user, Profile("user"));

        Assert.False((await ReadAsync<ProfileState>(stateName, sameKeyOtherType)).RecordExists);
        Assert.False((await ReadAsync<ProfileState>(stateName, otherKey)).RecordExists);
        await WriteNewAsync(stateName, sameKeyOtherType, Profile("account"));
        await WriteNewAsync(stateName, otherKey, Profile("user 2"));
        Assert.Equal("user", (await ReadAsync<ProfileState>(stateName, user)).State!.Name);
        Assert.Equal("account", (await ReadAsync<ProfileState>(stateName, sameKeyOtherType)).State!.Name);
        Assert.Equal("user 2", (await ReadAsync<ProfileState>(stateName, otherKey)).State!.Name);
    }

    [Fact]
    public async Task Clear_removes_the_record_and_resets_the_grain_state()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var grainState = await WriteNewAsync(stateName, grainId, Profile("to be cleared"));

        await Storage.ClearStateAsync(stateName, grainId, grainState);

        Assert.Null(grainState.ETag);
        Assert.False(grainState.RecordExists);
        Assert.Equal("", grainState.State!.Name);
        var read = await ReadAsync<ProfileState>(stateName, grainId);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal("", read.State!.Name);
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_fails_and_keeps_the_record()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var stale = await WriteNewAsync(stateName, grainId, Profile("v1"));
        var current = await ReadAsync<ProfileState>(stateName, grainId);
        current.State = Profile("v2");
        await Storage.WriteStateAsync(stateName, grainId, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(stateName, grainId, stale));

        var read = await ReadAsync<ProfileState>(stateName, grainId);
        Assert.True(read.RecordExists);
        Assert.Equal("v2", read.State!.Name);
        Assert.Equal(current.ETag, read.ETag);
    }

    [Fact]
    public async Task Clear_with_null_etag_over_an_existing_record_fails_and_keeps_the_record()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        await WriteNewAsync(stateName, grainId, Profile("kept"));

        var unaware = new GrainState<ProfileState>(new ProfileState());
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(stateName, grainId, unaware));

        Assert.Equal("kept", (await ReadAsync<ProfileState>(stateName, grainId)).State!.Name);
    }

    [Fact]
    public async Task Clearing_missing_state_with_null_etag_succeeds()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var grainState = await ReadAsync<ProfileState>(stateName, grainId);

        await Storage.ClearStateAsync(stateName, grainId, grainState);

        Assert.False(grainState.RecordExists);
        Assert.Null(grainState.ETag);
    }

    [Fact]
    public async Task Write_after_clear_with_null_etag_succeeds_and_etags_from_before_the_clear_stay_stale()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var grainState = await WriteNewAsync(stateName, grainId, Profile("before"));
        var beforeClear = grainState.ETag;
        var otherHolder = new GrainState<ProfileState>(Profile("other"), beforeClear) { RecordExists = true };

        await Storage.ClearStateAsync(stateName, grainId, grainState);
        grainState.State = Profile("after");
        await Storage.WriteStateAsync(stateName, grainId, grainState);

        Assert.NotNull(grainState.ETag);
        Assert.NotEqual(beforeClear, grainState.ETag);
        Assert.True(grainState.RecordExists);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(stateName, grainId, otherHolder));
        Assert.Equal("after", (await ReadAsync<ProfileState>(stateName, grainId)).State!.Name);
    }

    [Fact]
    public async Task Concurrent_writers_with_the_same_etag_exactly_one_wins()
    {
        const int Writers = 20;
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var initial = await WriteNewAsync(stateName, grainId, Profile("initial", 0));

        var outcomes = await RaceAsync(Writers, i => new GrainState<ProfileState>(Profile($"writer {i}", i), initial.ETag) { RecordExists = true }, stateName, grainId);

        var winners = outcomes.Where(o => o.Error is null).ToList();
        Assert.Single(winners);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.IsType<InconsistentStateException>(o.Error));
        var read = await ReadAsync<ProfileState>(stateName, grainId);
        Assert.Equal(winners[0].State.State!.Name, read.State!.Name);
        Assert.Equal(winners[0].State!.ETag, read.ETag);
    }

    [Fact]
    public async Task Concurrent_first_writes_exactly_one_wins()
    {
        const int Writers = 20;
        var stateName = NewStateName();
        var grainId = NewGrainId();

        var outcomes = await RaceAsync(Writers, i => new GrainState<ProfileState>(Profile($"writer {i}", i)), stateName, grainId);

        var winners = outcomes.Where(o => o.Error is null).ToList();
        Assert.Single(winners);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.IsType<InconsistentStateException>(o.Error));
        Assert.Equal(winners[0].State.State!.Name, (await ReadAsync<ProfileState>(stateName, grainId)).State!.Name);
    }

    [Fact]
    public async Task A_one_megabyte_state_round_trips()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        var big = Profile("big");
        big.Blob = RandomNumberGenerator.GetBytes(1024 * 1024);
        big.Tags = [.. Enumerable.Range(0, 1000).Select(i => $"tag-{i}")];

        var written = await WriteNewAsync(stateName, grainId, big);
        var read = await ReadAsync<ProfileState>(stateName, grainId);

        AssertSameProfile(big, read.State);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Unicode_grain_keys_state_names_and_values_round_trip()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var stateName = $"état-状態-{suffix}";
        var grainId = GrainId.Create("grain-ü", $"ключ/🔑 日本語 'q' \"dq\" {suffix}");
        var lookalike = GrainId.Create("grain-u", $"ключ/🔑 日本語 'q' \"dq\" {suffix}");
        var value = Profile("Zoë 🙂 — ½ ∑ 漢字");

        var written = await WriteNewAsync(stateName, grainId, value);

        var read = await ReadAsync<ProfileState>(stateName, grainId);
        AssertSameProfile(value, read.State);
        Assert.Equal(written.ETag, read.ETag);
        Assert.False((await ReadAsync<ProfileState>(stateName, lookalike)).RecordExists);
        Assert.False((await ReadAsync<ProfileState>($"etat-状態-{suffix}", grainId)).RecordExists);
    }

    [Fact]
    public async Task A_write_cancelled_before_it_starts_stores_nothing()
    {
        var stateName = NewStateName();
        var grainId = NewGrainId();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Storage.WriteStateAsync(stateName, grainId, new GrainState<ProfileState>(Profile("never")), cancelled.Token));

        Assert.False((await ReadAsync<ProfileState>(stateName, grainId)).RecordExists);
    }

    private async Task<List<(GrainState<ProfileState> State, Exception? Error)>> RaceAsync(
        int writers, Func<int, GrainState<ProfileState>> createState, string stateName, GrainId grainId)
    {
        var states = Enumerable.Range(0, writers).Select(createState).ToList();
        using var start = new ManualResetEventSlim();
        var tasks = states.Select(state => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                await Storage.WriteStateAsync(stateName, grainId, state);
                return (state, (Exception?)null);
            }
            catch (Exception ex)
            {
                return (state, ex);
            }
        })).ToList();

        start.Set();
        return [.. await Task.WhenAll(tasks)];
    }
}
