using System.Text;
using System.Text.Json;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// Projects a JSON Lines record (one object per line) onto a job's columns: top-level properties by exact
/// name (the last one wins if a name repeats). Nested objects and arrays are validated and skipped; naming
/// one as a column makes the record bad, as does any invalid JSON.
/// </summary>
internal sealed class JsonLinesProjector(IReadOnlyList<string> columns) : RecordProjector
{
    private readonly byte[][] _names = ToUtf8(columns);
    private readonly string[] _columnNames = [.. columns];

    public override bool TryProject(ReadOnlySpan<byte> record, ColumnBuffer columns, out string? error)
    {
        columns.Reset();
        error = null;
        try
        {
            var reader = new Utf8JsonReader(record, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "invalid JSON: a record must be a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var column = -1;
                for (var c = 0; c < _names.Length; c++)
                {
                    if (reader.ValueTextEquals(_names[c]))
                    {
                        column = c;
                    }
                }

                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (column >= 0)
                        {
                            error = $"column '{_columnNames[column]}' is an object or array, not a value";
                        }

                        reader.Skip();
                        break;
                    case JsonTokenType.String when column >= 0:
                        if (reader.ValueIsEscaped)
                        {
                            var target = columns.SetInScratch(column, reader.ValueSpan.Length, ColumnValueKind.Text);
                            columns.ShrinkLast(column, reader.CopyString(target));
                        }
                        else
                        {
                            columns.Set(column, checked((int)reader.TokenStartIndex + 1), reader.ValueSpan.Length, ColumnValueKind.Text);
                        }

                        break;
                    case JsonTokenType.Number when column >= 0:
                        columns.Set(column, checked((int)reader.TokenStartIndex), reader.ValueSpan.Length, ColumnValueKind.Number);
                        break;
                    case JsonTokenType.True when column >= 0:
                        columns.Set(column, checked((int)reader.TokenStartIndex), 4, ColumnValueKind.True);
                        break;
                    case JsonTokenType.False when column >= 0:
                        columns.Set(column, checked((int)reader.TokenStartIndex), 5, ColumnValueKind.False);
                        break;
                    case JsonTokenType.Null when column >= 0:
                        columns.Set(column, 0, 0, ColumnValueKind.Null);
                        break;
                    default:
                        break;
                }
            }

            // Anything after the object (other than whitespace) makes the reader throw.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            error = "invalid JSON: " + e.Message;
            return false;
        }

        return error is null;
    }

    private static byte[][] ToUtf8(IReadOnlyList<string> columns)
    {
        var names = new byte[columns.Count][];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Encoding.UTF8.GetBytes(columns[i]);
        }

        return names;
    }
}
