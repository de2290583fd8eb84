using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// The report each chaos test prints at its end: to the test output and appended to <c>.ci/out/chaos-report.txt</c>
/// under the repository root (<c>./test.sh</c> clears that folder at the start of a run).
/// </summary>
internal sealed class ChaosReport(string title)
{
    private readonly List<(string Name, string Value)> _lines = [];

    public void Add(string name, FormattableString value) => _lines.Add((name, value.ToString(CultureInfo.InvariantCulture)));

    public void Add(string name, long value) => _lines.Add((name, value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Adds "p50 … / p95 … / max … (n)" of <paramref name="samples"/> in milliseconds.</summary>
    public void AddTimes(string name, IReadOnlyCollection<TimeSpan> samples) => _lines.Add((name, Percentiles(samples)));

    public static string Percentiles(IReadOnlyCollection<TimeSpan> samples)
    {
        if (samples.Count == 0)
        {
            return "no samples";
        }

        var sorted = samples.Select(s => s.TotalMilliseconds).Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):F0} ms, p95 {At(0.95):F0} ms, max {sorted[^1]:F0} ms (n={sorted.Length})");
    }

    public string Render()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"== chaos: {title} ({DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC)").AppendLine();
        var width = _lines.Count == 0 ? 0 : _lines.Max(l => l.Name.Length);
        foreach (var (name, value) in _lines)
        {
            text.Append("  ").Append(name.PadRight(width)).Append("  ").AppendLine(value);
        }

        return text.ToString();
    }

    /// <summary>Prints the report and appends it to the report file; returns the text.</summary>
    public string Publish(ITestOutputHelper output)
    {
        var text = Render();
        output.WriteLine(text);
        try
        {
            var folder = Path.Combine(RepositoryRoot(), ".ci", "out");
            Directory.CreateDirectory(folder);
            File.AppendAllText(Path.Combine(folder, "chaos-report.txt"), text + Environment.NewLine);
        }
        catch (IOException ex)
        {
            output.WriteLine($"(could not write .ci/out/chaos-report.txt: {ex.Message})");
        }

        return text;
    }

    public static string RepositoryRoot() => Testing.Servers.RepositoryPaths.Root;
}
