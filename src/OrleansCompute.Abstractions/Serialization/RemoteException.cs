namespace OrleansCompute.Serialization;

/// <summary>
/// Stands in for an exception whose type could not be recreated on this side (not loadable, or no
/// <c>(string)</c>/<c>(string, Exception)</c> constructor). Carries the original type name and message;
/// the remote stack trace is attached as for any deserialized exception.
/// </summary>
public sealed class RemoteException : Exception
{
    public RemoteException(string originalTypeName, string message, Exception? innerException)
        : base(message, innerException)
    {
        OriginalTypeName = originalTypeName;
    }

    /// <summary>The full name of the exception type that was thrown remotely.</summary>
    public string OriginalTypeName { get; }

    public override string ToString() => $"{OriginalTypeName} (remote): {base.ToString()}";
}
