using System.Diagnostics;
using System.Text;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Kinds;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Issue 17, point 2: the substring filter honours <see cref="FilterOptions.IgnoreCase"/> (it compared bytes exactly, so
/// <c>todo</c> found 1 of <c>todo</c>, <c>TODO</c>, <c>ToDo</c>). The rule is .NET's ordinal ignore-case; on real text it
/// counts what <c>grep -i -F -c</c> counts in a UTF-8 locale, and the vectorized ASCII path finds what the per-character
/// rule finds.
/// </summary>
public sealed class IgnoreCaseFilterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_issue_reproduction_finds_all_three_spellings()
    {
        _folder.Write("todo.txt", "todo\nTODO\nToDo\n"u8.ToArray());
        Assert.Equal(3, Count("todo.txt", "todo", ignoreCase: true, splitBytes: long.MaxValue));
        Assert.Equal(1, Count("todo.txt", "todo", ignoreCase: false, splitBytes: long.MaxValue));
    }

    /// <summary>
    /// GCIDE (the first 8 MB, ~230,000 dictionary lines) and the State of the Union addresses (10 MB in 211 long lines,
    /// with curly apostrophes and quotes): the job's counts equal <c>grep -i -F -c</c>'s (and <c>grep -F -c</c>'s without
    /// ignore-case) for ASCII and non-ASCII patterns, over many splits.
    /// </summary>
    [Fact]
    public void Counts_on_real_text_equal_grep_i_F_c()
    {
        RealData.Head(RealData.Get("gcide", "gcide.txt"), _folder.File("gcide.txt"), 8_000_000);
        File.Copy(RealData.Get("sotu", "sotu.txt"), _folder.File("sotu.txt"));
        (string File, string[] Patterns)[] cases =
        [
            ("gcide.txt", ["the", "THE", "Latin", "syn.", "[oBS.]", "x-Ray", "zebra", "1913", "A", "q", "-LY", "Webster"]),
            ("sotu.txt", ["america", "CONGRESS", "It’S", "WE’RE", "’s", "“we", "49°", "the", "zz"]),
        ];
        foreach (var (file, patterns) in cases)
        {
            foreach (var pattern in patterns)
            {
                Assert.True(Grep(file, pattern, ignoreCase: true) == Count(file, pattern, ignoreCase: true, splitBytes: 1 << 20), $"{file}: '{pattern}' ignoring case");
                Assert.True(Grep(file, pattern, ignoreCase: false) == Count(file, pattern, ignoreCase: false, splitBytes: 1 << 20), $"{file}: '{pattern}' matching case");
            }
        }
    }

    /// <summary>
    /// Non-ASCII letters in both cases (Latin, Greek, Cyrillic, the title-case digraph ǅ, final sigma): counts equal
    /// grep's. Where the two rules differ (grep also folds ſ/s, ı/i, the Kelvin sign/k and the Ångström sign/å; neither
    /// maps ß to ss), the documented ordinal rule holds.
    /// </summary>
    [Fact]
    public void Non_ascii_letters_match_in_either_case_as_grep_finds_them()
    {
        string[] words = ["Éclair", "ÉCLAIR", "éclair", "Straße", "STRASSE", "ωmega", "ΩMEGA", "Ǆemal", "ǅemal", "ǆemal", "Ünïcødé", "ÜNÏCØDÉ",
            "Σίσυφος", "ΣΊΣΥΦΟΣ", "σίσυφοσ", "МОСКВА", "москва", "日本語", "plain", "PLAIN", "naïve", "NAÏVE"];
        var rng = new Random(5);
        var text = new StringBuilder();
        for (var line = 0; line < 20_000; line++)
        {
            for (var w = rng.Next(1, 12); w > 0; w--)
            {
                text.Append(Generators.Pick(rng, words)).Append(' ');
            }

            text.Append('\n');
        }

        _folder.Write("letters.txt", Encoding.UTF8.GetBytes(text.ToString()));
        foreach (var pattern in new[] { "éclair", "ÉCLAIR", "straße", "ωmega", "ǆemal", "ünïcødé", "σίσυφος", "Москва", "日本", "NAÏVE", "plain", "ss" })
        {
            Assert.True(Grep("letters.txt", pattern, ignoreCase: true) == Count("letters.txt", pattern, ignoreCase: true, splitBytes: 50_000), $"'{pattern}'");
        }

        _folder.Write("differ.txt", "ſtop\nıt\n\u212Aelvin\n\u212Bngstrom\nstraße\n"u8.ToArray());
        Assert.Equal(0, Count("differ.txt", "stop", ignoreCase: true, splitBytes: long.MaxValue));
        Assert.Equal(1, Grep("differ.txt", "stop", ignoreCase: true));
        Assert.Equal(0, Count("differ.txt", "kelvin", ignoreCase: true, splitBytes: long.MaxValue));
        Assert.Equal(0, Count("differ.txt", "STRASSE", ignoreCase: true, splitBytes: long.MaxValue));
        Assert.Equal(1, Count("differ.txt", "STRAßE", ignoreCase: true, splitBytes: long.MaxValue));
    }

    /// <summary>
    /// The vectorized ASCII search against the per-character rule on lines of every length up to 200 bytes, the pattern
    /// planted at every offset in random case (and near misses: first and last byte right, a middle one wrong), with
    /// non-ASCII bytes and invalid UTF-8 around it; patterns of 1 to 40 bytes, letters and non-letters at both ends.
    /// </summary>
    [Fact]
    public void The_vectorized_ascii_search_finds_what_the_ordinal_rule_finds()
    {
        var rng = new Random(9);
        string[] patterns = ["a", "Q", "-", "ab", "the", "x-y", "[obs.]", "Hello, World", "0123456789", "zZ@[`{", new string('m', 40), "ab" + new string('c', 30) + "d"];
        var filler = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 -,.@[`{"u8.ToArray();
        var checks = 0;
        foreach (var pattern in patterns)
        {
            var search = new IgnoreCaseSubstring(pattern);
            for (var length = 0; length <= 200; length++)
            {
                for (var round = 0; round < 6; round++)
                {
                    var line = new byte[length];
                    for (var i = 0; i < length; i++)
                    {
                        line[i] = rng.Next(20) == 0 ? (byte)rng.Next(0x80, 0x100) : filler[rng.Next(filler.Length)];
                    }

                    if (length >= pattern.Length && round > 0)
                    {
                        var at = rng.Next(length - pattern.Length + 1);
                        for (var i = 0; i < pattern.Length; i++)
                        {
                            var c = pattern[i];
                            line[at + i] = (byte)(rng.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
                        }

                        if (round == 5 && pattern.Length > 2)
                        {
                            line[at + 1] = 0xC3; // a near miss: only the middle differs
                        }
                    }

                    var expected = Encoding.UTF8.GetString(line).Contains(pattern, StringComparison.OrdinalIgnoreCase);
                    Assert.True(expected == search.IsMatch(line), $"'{pattern}' in '{Encoding.Latin1.GetString(line)}'");
                    checks++;
                }
            }
        }

        Assert.True(checks > 10_000);
    }

    /// <summary>What the ASCII path relies on: under the ordinal ignore-case rule no non-ASCII UTF-16 unit equals an ASCII one.</summary>
    [Fact]
    public void No_non_ascii_character_equals_an_ascii_one_ignoring_case()
    {
        for (var c = 0x80; c <= 0xFFFF; c++)
        {
            var text = ((char)c).ToString();
            for (var a = 0x20; a < 0x7F; a++)
            {
                Assert.False(string.Equals(text, ((char)a).ToString(), StringComparison.OrdinalIgnoreCase), $"U+{c:X4} equals '{(char)a}'");
            }
        }
    }

    private long Count(string file, string pattern, bool ignoreCase, long splitBytes)
    {
        var spec = new ComputeJobSpec
        {
            JobId = "ci",
            Kind = "filter-count",
            Input = new InputSpec { Path = file, TargetSplitBytes = splitBytes },
            Filter = new FilterOptions { Pattern = pattern, IgnoreCase = ignoreCase, MaxSamples = 0 },
        };
        return ((FilterCountResult)Engine.Run(spec, _folder.Path, new Random(1)).Value!).Matches;
    }

    /// <summary><c>grep -a -F -c [-i]</c> in the C.UTF-8 locale (-a: a stray invalid byte must not make grep call the file binary).</summary>
    private long Grep(string file, string pattern, bool ignoreCase)
    {
        var start = new ProcessStartInfo("grep") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. (ignoreCase ? ["-i"] : Array.Empty<string>()), "-a", "-F", "-c", "--", pattern, _folder.File(file)])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode is 0 or 1, $"grep failed ({process.ExitCode}): {errors.Result}");
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
