using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrleansCompute.Storage;

/// <summary>
/// The database format stamp. A file this provider creates carries <c>PRAGMA application_id</c> =
/// <see cref="ApplicationId"/> and <c>PRAGMA user_version</c> = <see cref="FormatVersion"/>. OrleansCompute's own
/// runtime (before the move to Microsoft Orleans) stamped nothing and wrote state with its own serializer, which
/// Orleans's serializers cannot read: an unstamped file that already holds grain tables is that format 1, and is
/// refused with instructions instead of being read as garbage or overwritten.
/// </summary>
public sealed partial class SqliteGrainStorage
{
    /// <summary>
    /// <c>PRAGMA application_id</c> of the databases this provider creates: "OCGS" (OrleansCompute grain storage).
    /// </summary>
    public const int ApplicationId = 0x4F434753;

    /// <summary>
    /// <c>PRAGMA user_version</c> of the databases this provider creates. 1 was OrleansCompute's own runtime (no stamp,
    /// state in its binary or JSON format); 2 is this provider on Microsoft Orleans (state from Orleans's
    /// <see cref="Orleans.Storage.IGrainStorageSerializer"/>).
    /// </summary>
    public const int FormatVersion = 2;

    private const int LegacyFormatVersion = 1;

    // A table of the shape both formats use for state, logs and snapshots.
    private const string FindGrainTableSql = """
        SELECT m.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c
        WHERE m.type = 'table' AND c.name IN ('state_name', 'grain_type', 'grain_key')
        GROUP BY m.name HAVING count(*) = 3
        ORDER BY m.name LIMIT 1;
        """;

    /// <summary>
    /// In one <c>BEGIN IMMEDIATE</c> transaction: reads the stamp; refuses (returns the message, changes nothing) a file
    /// of another format or application; otherwise creates the tables and stamps a new file. Returns null on success.
    /// </summary>
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "SQL text is built from constants and a validated identifier.")]
    private async Task<string?> CreateOrCheckSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // deferred: false is BEGIN IMMEDIATE: the write lock is taken before the stamp is read.
        var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
        await using (transaction.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = transaction;
                command.CommandTimeout = _commandTimeoutSeconds;

                command.CommandText = "PRAGMA application_id;";
                var applicationId = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                command.CommandText = "PRAGMA user_version;";
                var userVersion = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

                var stamp = false;
                if (applicationId == ApplicationId)
                {
                    if (userVersion != FormatVersion)
                    {
                        return NewerFormatMessage(userVersion);
                    }
                }
                else if (applicationId == 0 && userVersion == 0)
                {
                    command.CommandText = FindGrainTableSql;
                    if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string legacyTable)
                    {
                        return LegacyFormatMessage(legacyTable);
                    }

                    stamp = true;
                }
                else
                {
                    return ForeignFileMessage(applicationId, userVersion);
                }

                command.CommandText = _createTablesSql;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (stamp)
                {
                    command.CommandText = string.Create(
                        CultureInfo.InvariantCulture, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {FormatVersion};");
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private string LegacyFormatMessage(string table)
        => $"SQLite grain storage '{Name}' cannot use the database '{DatabasePath}': it was written by OrleansCompute before it moved to "
            + $"Microsoft Orleans (format {LegacyFormatVersion}: table '{table}' without a format stamp), whose grain state Orleans cannot read "
            + $"(this version writes format {FormatVersion}). Nothing in the file was changed. {MoveAsideAdvice()} "
            + "Grains then start from empty state; the old data stays readable only by the previous OrleansCompute release.";

    private string NewerFormatMessage(long userVersion)
        => $"SQLite grain storage '{Name}' cannot use the database '{DatabasePath}': it has format {userVersion}, and this version of "
            + $"OrleansCompute reads only format {FormatVersion}. Nothing in the file was changed. Run the OrleansCompute version that wrote it, "
            + $"or point {nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DatabasePath)} at another file.";

    private string ForeignFileMessage(long applicationId, long userVersion)
        => $"SQLite grain storage '{Name}' cannot use the database '{DatabasePath}': it is not an OrleansCompute grain database "
            + $"(application_id {applicationId}, user_version {userVersion}). Nothing in the file was changed. Point "
            + $"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DatabasePath)} at another file.";

    // "mv .data .data.pre-orleans" for the embedded default (./.data/grain-state.db); the file itself (with its -wal and
    // -shm companions) when it lies in the current directory.
    private string MoveAsideAdvice()
    {
        var folder = Path.GetDirectoryName(DatabasePath) ?? "";
        var current = Path.GetFullPath(Environment.CurrentDirectory);
        if (string.Equals(Path.TrimEndingDirectorySeparator(folder), Path.TrimEndingDirectorySeparator(current), StringComparison.Ordinal))
        {
            var file = Quote(Path.GetFileName(DatabasePath));
            return $"Move the file aside together with its -wal and -shm files (mv {file} {file}.pre-orleans; the same for {file}-wal and {file}-shm if present) "
                + "or delete them, then start again.";
        }

        var relative = Path.GetRelativePath(current, folder);
        var shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? folder : relative;
        return $"Move its folder aside (mv {Quote(shown)} {Quote(shown + ".pre-orleans")}) or delete it, then start again.";
    }

    private static readonly System.Buffers.SearchValues<char> s_shellSpecial = System.Buffers.SearchValues.Create(" '\"$`\\;&|()<>*?");

    private static string Quote(string path)
        => path.AsSpan().IndexOfAny(s_shellSpecial) < 0 ? path : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
