using OrleansCompute.Storage;

namespace OrleansCompute.Runtime.Tests.Grains;

public sealed class ProfileState
{
    public string? Name { get; set; }

    public int Writes { get; set; }

    public List<string> History { get; set; } = [];
}

public sealed class ProfileGrain(
    [PersistentState("profile")] IPersistentState<ProfileState> profile,
    [PersistentState("audit", "Secondary")] IPersistentState<ProfileState> audit,
    IServiceProvider services) : Grain, IProfileGrain
{
    private string? _nameSeenAtActivation = "(not activated)";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // State is read before OnActivateAsync.
        _nameSeenAtActivation = profile.State.Name;
        return Task.CompletedTask;
    }

    public async Task SetName(string name)
    {
        profile.State.Name = name;
        profile.State.Writes++;
        profile.State.History.Add(name);
        await profile.WriteStateAsync();
        audit.State.Writes++;
        await audit.WriteStateAsync();
    }

    public Task<string?> GetName() => Task.FromResult(_nameSeenAtActivation == profile.State.Name ? profile.State.Name : profile.State.Name + "?");

    public Task<int> Writes() => Task.FromResult(profile.State.Writes * 1000 + audit.State.Writes);

    public Task<bool> RecordExists() => Task.FromResult(profile.RecordExists);

    public Task Clear() => profile.ClearStateAsync();

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task WriteStale()
    {
        // Another writer (a second provider client) updates the record behind this activation's back.
        var storage = Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetRequiredKeyedService<IGrainStorage>(services, "Default");
        var other = new GrainState<ProfileState>(new ProfileState());
        await storage.ReadStateAsync("profile", GrainId, other);
        other.State.Name = "written-elsewhere";
        await storage.WriteStateAsync("profile", GrainId, other);

        profile.State.Name = "stale";
        await profile.WriteStateAsync();
    }
}

public sealed class MissingStorageGrain([PersistentState("x", "NoSuchStorage")] IPersistentState<ProfileState> state) : Grain, IMissingStorageGrain
{
    public Task<int> Get() => Task.FromResult(state.State.Writes);
}
