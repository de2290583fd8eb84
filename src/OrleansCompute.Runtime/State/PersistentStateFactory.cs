using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.State;

/// <summary>Creates the <see cref="IPersistentState{TState}"/> for a <c>[PersistentState]</c> constructor parameter.</summary>
internal sealed class PersistentStateFactory(IServiceProvider services) : IPersistentStateFactory
{
    // Clustered silos (a membership table is configured) claim existing records on activation; see PersistentState.
    private readonly bool _claimOnActivate = services.GetService<IServiceProviderIsService>()?.IsService(typeof(Membership.IMembershipTable)) == true;

    public IPersistentState<TState> Create<TState>(IGrainContext context, string stateName, string? storageName)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var name = string.IsNullOrEmpty(storageName) ? ProviderConstants.DefaultStorageProviderName : storageName;
        var storage = services.GetKeyedService<IGrainStorage>(name) ?? throw new InvalidOperationException(
            $"Grain {context.GrainId} needs grain storage '{name}' for state '{stateName}', but none is registered. " +
            $"Add one when configuring the silo, e.g. silo.AddMemoryGrainStorage(\"{name}\") or silo.AddSqliteGrainStorage(\"{name}\", ...).");
        var state = new PersistentState<TState>(stateName, context.GrainId, storage, name, _claimOnActivate);
        context.AddActivationParticipant(state);
        return state;
    }
}
