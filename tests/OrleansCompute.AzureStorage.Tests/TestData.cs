using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>Generated inputs, a temp folder that mirrors them locally, and their upload to Azurite.</summary>
internal sealed class TestData : IDisposable
{
    private static readonly string[] s_vocabulary = [.. Enumerable.Range(0, 400).Select(i => "w" + ToLetters(i))];

    public TestData()
    {
        Root = Path.Combine(Path.GetTempPath(), "oc-azure-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The local data root.</summary>
    public string Root { get; }

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Lines of lower- and upper-case ASCII words separated by spaces and punctuation, LF and CRLF mixed.</summary>
    public static string Text(Random rng, int words)
    {
        var builder = new StringBuilder();
        var separators = new[] { " ", " ", ", ", ". ", " - ", "; " };
        for (var i = 0; i < words; i++)
        {
            var word = s_vocabulary[(int)Math.Floor(Math.Pow(rng.NextDouble(), 2) * s_vocabulary.Length)];
            builder.Append(rng.Next(10) == 0 ? word.ToUpperInvariant() : word);
            builder.Append(rng.Next(12) == 0 ? (rng.Next(2) == 0 ? "\n" : "\r\n") : separators[rng.Next(separators.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// CSV with header <c>k1,v1,v2,note</c>: small key set, integer v1, decimal v2, a quoted note that sometimes holds a
    /// comma, a doubled quote or a newline, and (when <paramref name="bad"/>) a few non-numeric v1 values.
    /// </summary>
    public static string Csv(Random rng, int rows, bool bad)
    {
        var builder = new StringBuilder("k1,v1,v2,note\n");
        for (var i = 0; i < rows; i++)
        {
            var key = "key" + rng.Next(12).ToString(CultureInfo.InvariantCulture);
            var v1 = bad && rng.Next(200) == 0 ? "oops" : rng.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture);
            var v2 = (rng.Next(0, 100000) / 100m).ToString(CultureInfo.InvariantCulture);
            var note = rng.Next(5) switch
            {
                0 => "\"a, b\"",
                1 => "\"line one\nline two\"",
                2 => "\"say \"\"hi\"\"\"",
                _ => "plain",
            };
            builder.Append(CultureInfo.InvariantCulture, $"{key},{v1},{v2},{note}\n");
        }

        return builder.ToString();
    }

    /// <summary>Word counts by an independent rule that is exact for <see cref="Text"/>: runs of ASCII letters and digits, lower-cased.</summary>
    public static Dictionary<string, long> ReferenceWordCount(IEnumerable<string> texts)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var word in System.Text.RegularExpressions.Regex.Split(text, "[^A-Za-z0-9]+"))
            {
                if (word.Length > 0)
                {
                    var lower = word.ToLowerInvariant();
                    counts[lower] = counts.GetValueOrDefault(lower) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>
    /// Uploads a file to the blob <c>container/name</c>, or a directory's files to <c>container/prefix/relative/path</c>,
    /// with the Azure SDK (<paramref name="destination"/> is <c>container/blob-or-prefix</c>).
    /// </summary>
    public static async Task UploadAsync(string connectionString, string source, string destination)
    {
        var slash = destination.IndexOf('/', StringComparison.Ordinal);
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient(slash < 0 ? destination : destination[..slash]);
        var name = slash < 0 ? "" : destination[(slash + 1)..];
        await container.CreateIfNotExistsAsync();
        if (File.Exists(source))
        {
            await container.GetBlobClient(name.Length == 0 || name.EndsWith('/') ? name + Path.GetFileName(source) : name).UploadAsync(source, overwrite: true);
            return;
        }

        var prefix = name.Length == 0 || name.EndsWith('/') ? name : name + "/";
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/');
            await container.GetBlobClient(prefix + relative).UploadAsync(file, overwrite: true);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string ToLetters(int i)
    {
        var builder = new StringBuilder();
        do
        {
            builder.Insert(0, (char)('a' + (i % 26)));
            i /= 26;
        }
        while (i > 0);
        return builder.ToString();
    }
}
