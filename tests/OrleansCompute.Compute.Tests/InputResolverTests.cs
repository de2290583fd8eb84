using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;

namespace OrleansCompute.Compute.Tests;

public sealed class InputResolverTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _root;
    private readonly string _outside;

    public InputResolverTests()
    {
        _root = _folder.File("root");
        _outside = _folder.File("outside");
        _folder.Write("root/logs/a.csv", "x\n"u8.ToArray());
        _folder.Write("root/logs/b.csv", "y\n"u8.ToArray());
        _folder.Write("root/logs/notes.txt", "z\n"u8.ToArray());
        _folder.Write("root/logs/2024/c.csv", "w\n"u8.ToArray());
        _folder.Write("outside/secret.csv", "s\n"u8.ToArray());
    }

    public void Dispose() => _folder.Dispose();

    private InputResolver Resolver() => new(new DataRootOptions { Roots = { _root } });

    private string[] Names(string input) => [.. Resolver().Resolve(input).Select(f => Path.GetRelativePath(_root, f.Path).Replace('\\', '/'))];

    [Fact]
    public void Resolves_files_directories_and_globs_in_ordinal_order()
    {
        Assert.Equal(["logs/a.csv"], Names("logs/a.csv"));
        Assert.Equal(["logs/2024/c.csv", "logs/a.csv", "logs/b.csv", "logs/notes.txt"], Names("logs"));
        Assert.Equal(["logs/a.csv", "logs/b.csv"], Names("logs/*.csv"));
        Assert.Equal(["logs/2024/c.csv", "logs/a.csv", "logs/b.csv"], Names("logs/**/*.csv"));
        Assert.Equal(["logs/a.csv", "logs/b.csv"], Names("logs/?.csv"));
        Assert.Equal(["logs/a.csv"], Names(Path.Combine(_root, "logs", "a.csv")));
        Assert.Equal(2, Resolver().Resolve("logs/*.csv")[0].Length);
    }

    [Fact]
    public void Parent_segments_that_stay_inside_the_root_are_allowed() =>
        Assert.Equal(["logs/a.csv"], Names("logs/2024/../a.csv"));

    [Theory]
    [InlineData("../outside/secret.csv")]
    [InlineData("logs/../../outside/secret.csv")]
    [InlineData("../outside/*.csv")]
    [InlineData("..")]
    public void Parent_segments_that_leave_the_root_are_refused(string input)
    {
        var e = Assert.Throws<ComputeInputException>(() => Resolver().Resolve(input));
        Assert.Contains("outside the data roots", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_path_outside_the_roots_is_refused()
    {
        var e = Assert.Throws<ComputeInputException>(() => Resolver().Resolve(Path.Combine(_outside, "secret.csv")));
        Assert.Contains("outside the data roots", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlinked_file_that_escapes_is_refused_directly_and_through_a_glob()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "logs", "evil.csv"), Path.Combine(_outside, "secret.csv"));
        var direct = Assert.Throws<ComputeInputException>(() => Resolver().Resolve("logs/evil.csv"));
        Assert.Contains("symbolic link", direct.Message, StringComparison.Ordinal);
        Assert.Throws<ComputeInputException>(() => Resolver().Resolve("logs/*.csv"));
        Assert.Throws<ComputeInputException>(() => Resolver().Resolve("logs"));
    }

    [Fact]
    public void A_symlinked_directory_that_escapes_is_refused_even_in_the_middle_of_a_path()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);
        var e = Assert.Throws<ComputeInputException>(() => Resolver().Resolve("escape/secret.csv"));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Throws<ComputeInputException>(() => Resolver().Resolve("escape/*.csv"));
        Assert.Throws<ComputeInputException>(() => Resolver().Resolve("**/*.csv"));
    }

    /// <summary>
    /// Issue 17: a glob is judged by what it matches. <c>g/*.txt</c> is not refused because of a sibling link to /etc that
    /// it cannot reach; a link the pattern reaches — named by it, or a directory it can descend into — is still refused,
    /// as is the whole directory (a directory input means everything below it).
    /// </summary>
    [Fact]
    public void A_glob_ignores_escaping_links_it_cannot_reach_and_refuses_those_it_reaches()
    {
        _folder.Write("root/g/a.txt", "a\n"u8.ToArray());
        _folder.Write("root/g/sub/b.txt", "b\n"u8.ToArray());
        Directory.CreateSymbolicLink(Path.Combine(_root, "g", "etc-dirlink"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root, "g", "secret.csv"), Path.Combine(_outside, "secret.csv"));

        Assert.Equal(["g/a.txt"], Names("g/*.txt"));
        Assert.Equal(["g/a.txt"], Names("g/?.txt"));
        Assert.Equal(["g/sub/b.txt"], Names("g/sub/*.txt"));
        Assert.Equal(["g/sub/b.txt"], Names("g/s*/*.txt"));

        foreach (var reaching in new[] { "g/*", "g/*.csv", "g/**/*.txt", "g/*/*.txt", "g/etc-*/passwd", "g" })
        {
            var e = Assert.Throws<ComputeInputException>(() => Resolver().Resolve(reaching));
            Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Symlinks_that_stay_inside_the_roots_are_followed_and_files_reported_once()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "alias.csv"), Path.Combine(_root, "logs", "a.csv"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "logs", "loop"), Path.Combine(_root, "logs"));
        Assert.Equal(["logs/a.csv"], Names("alias.csv"));
        Assert.Equal(["logs/2024/c.csv", "logs/a.csv", "logs/b.csv"], Names("**/*.csv"));
    }

    [Fact]
    public void A_root_that_is_itself_a_symlink_works()
    {
        var link = _folder.File("rootlink");
        Directory.CreateSymbolicLink(link, _root);
        var resolver = new InputResolver(new DataRootOptions { Roots = { link } });
        Assert.Single(resolver.Resolve("logs/a.csv"));
        Assert.Throws<ComputeInputException>(() => resolver.Resolve("../outside/secret.csv"));
    }

    [Fact]
    public void Missing_inputs_and_missing_roots_have_clear_messages()
    {
        Assert.Contains("does not exist", Assert.Throws<ComputeInputException>(() => Resolver().Resolve("nope.csv")).Message, StringComparison.Ordinal);
        Assert.Contains("matched no files", Assert.Throws<ComputeInputException>(() => Resolver().Resolve("logs/*.parquet")).Message, StringComparison.Ordinal);
        Assert.Contains("No data roots", Assert.Throws<ComputeInputException>(() => new InputResolver(new DataRootOptions())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_plans_read_the_header_once_and_hand_it_to_every_split()
    {
        _folder.Write("root/h.csv", "name,\"va,lue\"\nx,1\n\"multi\nline\",2\ny,3\n"u8.ToArray());
        var plan = new SplitPlanner(Resolver()).Plan(new InputSpec { Path = "h.csv", Format = InputFormat.Csv, TargetSplitBytes = 1 });
        Assert.Equal(3, plan.Splits.Count);
        Assert.All(plan.Splits, s => Assert.Equal(["name", "va,lue"], s.Header!));
        Assert.All(plan.Splits, s => Assert.Equal(2, s.FieldCount));
        Assert.Equal([0, 1, 2], plan.Splits.Select(s => s.SplitId));
        // Cut points are record starts: after the header, before "multi…", before "y".
        Assert.Equal([14L, 18, 33], plan.Splits.Select(s => s.Start));
    }
}
