namespace OrleansCompute.Runtime;

/// <summary>Well-known provider names.</summary>
public static class ProviderConstants
{
    /// <summary>The storage used when <see cref="PersistentStateAttribute"/> names none: <c>Default</c>.</summary>
    public const string DefaultStorageProviderName = "Default";
}
