using System.Collections;
using Microsoft.Extensions.Logging;

namespace OrleansCompute.Api.Security;

/// <summary>
/// The host's <see cref="ILoggerFactory"/> behind a <see cref="SecretRedactor"/>: every logger it hands out (the product's,
/// Orleans's, ASP.NET Core's, the Azure and Redis clients' adapters…) formats each enabled entry, and when the message or the
/// exception text holds a secret, passes the redacted message (and a <see cref="RedactedException"/>) on to the providers
/// instead. Entries without a secret reach the providers unchanged (same state, so structured sinks keep their fields).
/// Wrapping the factory rather than each provider keeps provider aliases and per-provider filter rules working.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}

/// <summary>One category's logger behind the redactor (see <see cref="RedactingLoggerFactory"/>).</summary>
internal sealed class RedactingLogger(ILogger inner, SecretRedactor redactor) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        var message = formatter(state, exception);
        var redacted = redactor.Redact(message);
        var safeException = exception is null ? null : redactor.Redact(exception);
        if (ReferenceEquals(redacted, message) && ReferenceEquals(safeException, exception))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        inner.Log(logLevel, eventId, new RedactedLogState(redacted, state as IReadOnlyList<KeyValuePair<string, object?>>, redactor), safeException,
            static (s, _) => s.Message);
    }
}

/// <summary>A log entry's state with its message and string values redacted (its message template kept).</summary>
internal sealed class RedactedLogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    private const string OriginalFormat = "{OriginalFormat}";
    private readonly KeyValuePair<string, object?>[] _values;

    public RedactedLogState(string message, IReadOnlyList<KeyValuePair<string, object?>>? original, SecretRedactor redactor)
    {
        Message = message;
        if (original is null)
        {
            _values = [];
            return;
        }

        _values = new KeyValuePair<string, object?>[original.Count];
        for (var i = 0; i < original.Count; i++)
        {
            var (key, value) = original[i];
            _values[i] = new(key, key == OriginalFormat || value is null || value.GetType().IsPrimitive
                ? value
                : redactor.Redact(value as string ?? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    public string Message { get; }

    public int Count => _values.Length;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}
