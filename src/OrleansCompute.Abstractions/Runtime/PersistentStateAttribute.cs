namespace OrleansCompute.Runtime;

/// <summary>
/// Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/> to be filled with
/// state named <paramref name="stateName"/> from the storage provider named <paramref name="storageName"/>
/// (default: <see cref="ProviderConstants.DefaultStorageProviderName"/>). The state is read before <c>OnActivateAsync</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    public string StateName { get; } = stateName;

    public string? StorageName { get; } = storageName;
}
