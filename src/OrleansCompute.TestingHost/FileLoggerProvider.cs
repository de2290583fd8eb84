using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OrleansCompute.TestingHost;

/// <summary>
/// Appends every silo's log lines at Information and above to one file per test cluster, when the environment
/// variable <c>OCX_TEST_LOG_DIR</c> names a folder (<c>./test.sh</c> sets it to <c>.ci/out/silo-logs</c>): a flaky
/// failure in CI leaves the membership and grain warnings behind. Off otherwise (tests stay silent).
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider
{
    private static readonly ConcurrentDictionary<string, object> s_locks = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly string _silo;

    private FileLoggerProvider(string path, string silo)
    {
        _path = path;
        _silo = silo;
    }

    public const string Variable = "OCX_TEST_LOG_DIR";

    /// <summary>The provider for <paramref name="silo"/> of cluster <paramref name="clusterId"/>, or null when logging is off.</summary>
    public static FileLoggerProvider? FromEnvironment(string clusterId, string silo)
    {
        var folder = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return null;
        }

        Directory.CreateDirectory(folder);
        return new FileLoggerProvider(Path.Combine(folder, clusterId + ".log"), silo);
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var line = new StringBuilder()
            .Append(DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append(' ')
            .Append(_silo).Append(' ').Append(level.ToString()[..4]).Append(' ')
            .Append(category[(category.LastIndexOf('.') + 1)..]).Append(": ").Append(message);
        if (exception is not null)
        {
            line.Append(" | ").Append(exception.GetType().Name).Append(": ").Append(exception.Message);
        }

        line.Append('\n');
        lock (s_locks.GetOrAdd(_path, _ => new object()))
        {
            File.AppendAllText(_path, line.ToString());
        }
    }

    private sealed class FileLogger(FileLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
