namespace OrleansCompute.Api.Security;

/// <summary>
/// Stands in for an exception whose text held a secret (<see cref="SecretRedactor.Redact(Exception)"/>): it prints the
/// original's type, messages and stack trace with the secrets replaced, and names the original type.
/// </summary>
public sealed class RedactedException : Exception
{
    private readonly string _text;

    public RedactedException(Type originalType, string message, string text)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(originalType);
        ArgumentNullException.ThrowIfNull(text);
        OriginalType = originalType.FullName ?? originalType.Name;
        _text = text;
    }

    public RedactedException()
        : this(typeof(Exception), "", "")
    {
    }

    public RedactedException(string message)
        : this(typeof(Exception), message, message)
    {
    }

    public RedactedException(string message, Exception innerException)
        : base(message, innerException)
    {
        OriginalType = typeof(Exception).FullName!;
        _text = message;
    }

    /// <summary>The full name of the exception type this stands in for.</summary>
    public string OriginalType { get; }

    /// <summary>The original's <see cref="Exception.ToString"/> with its secrets replaced.</summary>
    public override string ToString() => _text;
}
