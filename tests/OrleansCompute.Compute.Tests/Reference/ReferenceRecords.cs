using System.Text;
using System.Text.Json;

namespace OrleansCompute.Compute.Tests.Reference;

/// <summary>A record as the reference sees it: where it is, why it is bad (if it is), and its named column values (null = JSON null).</summary>
public sealed record RefRecord(string Path, long Offset, string? Error, Dictionary<string, string?> Columns);

/// <summary>Reads whole CSV / JSON Lines files into <see cref="RefRecord"/>s.</summary>
public static class ReferenceRecords
{
    public static List<RefRecord> Csv(string path, bool hasHeader, char delimiter)
    {
        var records = ReferenceCsv.Records(File.ReadAllBytes(path), (byte)delimiter);
        var result = new List<RefRecord>();
        List<string>? header = null;
        var expected = -1;
        foreach (var (offset, bytes) in records)
        {
            var fields = ReferenceCsv.Fields(bytes, (byte)delimiter, out var error);
            if (expected < 0)
            {
                expected = fields!.Count;
                if (hasHeader)
                {
                    header = fields;
                    continue;
                }
            }

            if (fields is not null && fields.Count != expected)
            {
                error = $"expected {expected} fields, found {fields.Count}";
                fields = null;
            }

            var columns = new Dictionary<string, string?>();
            if (fields is not null)
            {
                for (var i = 0; i < fields.Count; i++)
                {
                    columns[header?[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = fields[i];
                }
            }

            result.Add(new RefRecord(path, offset, error, columns));
        }

        return result;
    }

    public static List<RefRecord> JsonLines(string path)
    {
        var result = new List<RefRecord>();
        foreach (var (offset, bytes) in ReferenceText.Lines(File.ReadAllBytes(path)))
        {
            if (bytes.Length == 0)
            {
                continue;
            }

            var columns = new Dictionary<string, string?>();
            string? error = null;
            try
            {
                using var doc = JsonDocument.Parse(bytes);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    error = "not an object";
                }
                else
                {
                    foreach (var property in doc.RootElement.EnumerateObject())
                    {
                        columns[property.Name] = property.Value.ValueKind switch
                        {
                            JsonValueKind.String => property.Value.GetString(),
                            JsonValueKind.Number => property.Value.GetRawText(),
                            JsonValueKind.True => "true",
                            JsonValueKind.False => "false",
                            JsonValueKind.Null => null,
                            _ => "\u0000nested",
                        };
                    }
                }
            }
            catch (JsonException e)
            {
                error = e.Message;
            }

            result.Add(new RefRecord(path, offset, error, columns));
        }

        return result;
    }

    public static string Decode(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
