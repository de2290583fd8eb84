namespace OrleansCompute.Storage;

/// <summary>The checks behind both start-up validation (named options) and the provider's constructor.</summary>
internal static class SqliteGrainStorageOptionsValidation
{
    private const int MaxTableNameLength = 128;

    public static bool HasDatabasePath(SqliteGrainStorageOptions options)
        => !string.IsNullOrWhiteSpace(options.DatabasePath) && !options.DatabasePath.Contains('\0', StringComparison.Ordinal);

    public static bool HasValidTableName(SqliteGrainStorageOptions options)
    {
        var name = options.TableName;
        if (string.IsNullOrEmpty(name) || name.Length > MaxTableNameLength || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        // The table name is spliced into SQL text, so only plain identifiers are accepted.
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    public static bool HasValidBusyTimeout(SqliteGrainStorageOptions options)
        => options.BusyTimeout > TimeSpan.Zero && options.BusyTimeout.TotalMilliseconds <= int.MaxValue;

    public static bool HasValidSynchronous(SqliteGrainStorageOptions options) => Enum.IsDefined(options.Synchronous);

    public static string DatabasePathMessage(string name)
        => $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DatabasePath)} is required for SQLite grain storage '{name}': "
            + "set it to the path of the database file (for example 'data/grains.db').";

    public static string TableNameMessage(string name)
        => $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.TableName)} of SQLite grain storage '{name}' must be "
            + $"1-{MaxTableNameLength} letters, digits or underscores, not starting with a digit.";

    public static string BusyTimeoutMessage(string name)
        => $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.BusyTimeout)} of SQLite grain storage '{name}' must be positive.";

    public static string SynchronousMessage(string name)
        => $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.Synchronous)} of SQLite grain storage '{name}' is not a known mode.";

    public static string GrainStorageSerializerMessage(string name)
        => $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.GrainStorageSerializer)} of SQLite grain storage '{name}' is required "
            + "when the provider is constructed directly (AddSqliteGrainStorage fills it in from the silo's IGrainStorageSerializer).";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public static void ThrowIfInvalid(SqliteGrainStorageOptions options, string name)
    {
        var message = !HasDatabasePath(options) ? DatabasePathMessage(name)
            : !HasValidTableName(options) ? TableNameMessage(name)
            : !HasValidBusyTimeout(options) ? BusyTimeoutMessage(name)
            : !HasValidSynchronous(options) ? SynchronousMessage(name)
            : options.GrainStorageSerializer is null ? GrainStorageSerializerMessage(name)
            : null;
        if (message is not null)
        {
            throw new ArgumentException(message, nameof(options));
        }
    }
}
