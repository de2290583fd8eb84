namespace OrleansCompute.State;

/// <summary>The value of state before anything was read: a new instance when the type has a parameterless constructor.</summary>
internal static class DefaultState
{
    public static T Create<T>()
    {
        if (typeof(T).IsValueType || typeof(T) == typeof(string))
        {
            return default!;
        }

        return typeof(T).GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance<T>() : default!;
    }
}
