using System.IO.Enumeration;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// Turns an input path (file, directory or glob) into the real paths of the files it names, refusing
/// anything that leaves the data roots — lexically (<c>..</c>) or through a symbolic link anywhere in
/// the path. Files are returned once each, in ordinal order of their real paths.
/// </summary>
public sealed class InputResolver
{
    private static readonly char[] s_separators = ['/', '\\'];

    /// <summary>Every entry, hidden ones included (as <c>Directory.EnumerateFileSystemEntries</c> lists them); unreadable folders fail.</summary>
    private static readonly EnumerationOptions s_listing = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };
    private readonly string[] _roots;
    private readonly string[] _realRoots;

    public InputResolver(DataRootOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Roots.Count == 0)
        {
            throw new ComputeInputException("No data roots are configured, so no input can be read (set DataRootOptions.Roots).");
        }

        _roots = new string[options.Roots.Count];
        _realRoots = new string[options.Roots.Count];
        for (var i = 0; i < _roots.Length; i++)
        {
            _roots[i] = Path.GetFullPath(options.Roots[i]);
            _realRoots[i] = RealPath.Resolve(_roots[i]);
        }
    }

    public IReadOnlyList<string> Roots => _realRoots;

    public IReadOnlyList<InputFile> Resolve(string input)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        var absolute = Path.IsPathRooted(input) ? input : Path.Join(_roots[0], input);
        var segments = absolute.Split(s_separators, StringSplitOptions.RemoveEmptyEntries);
        var firstWild = Array.FindIndex(segments, GlobPattern.HasWildcard);

        var files = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (firstWild < 0)
        {
            var full = CheckLexical(input, Path.GetFullPath(absolute));
            var real = CheckReal(input, full);
            if (File.Exists(real))
            {
                files[real] = new FileInfo(real).Length;
            }
            else if (Directory.Exists(real))
            {
                Walk(input, real, [], pattern: null, files, new HashSet<string>(StringComparer.Ordinal));
            }
            else
            {
                throw new ComputeInputException($"Input '{input}' does not exist.");
            }
        }
        else
        {
            var pattern = segments[firstWild..];
            if (Array.IndexOf(pattern, "..") >= 0 || Array.IndexOf(pattern, ".") >= 0)
            {
                throw new ComputeInputException($"Input '{input}': '..' and '.' are not allowed after a wildcard.");
            }

            var prefix = Path.GetPathRoot(absolute) + string.Join(Path.DirectorySeparatorChar, segments[..firstWild]);
            var full = CheckLexical(input, Path.GetFullPath(prefix));
            var real = CheckReal(input, full);
            if (Directory.Exists(real))
            {
                Walk(input, real, [], pattern, files, new HashSet<string>(StringComparer.Ordinal));
            }
        }

        if (files.Count == 0)
        {
            throw new ComputeInputException($"Input '{input}' matched no files under the data roots ({string.Join(", ", _realRoots)}).");
        }

        var result = new List<InputFile>(files.Count);
        foreach (var (path, length) in files)
        {
            result.Add(new InputFile { Path = path, Length = length });
        }

        return result;
    }

    private string CheckLexical(string input, string full)
    {
        foreach (var root in _roots)
        {
            if (RealPath.IsUnder(full, root))
            {
                return full;
            }
        }

        foreach (var root in _realRoots)
        {
            if (RealPath.IsUnder(full, root))
            {
                return full;
            }
        }

        throw new ComputeInputException($"Input '{input}' resolves to '{full}', which is outside the data roots ({string.Join(", ", _realRoots)}).");
    }

    private string CheckReal(string input, string path) => CheckUnderRoots(input, path, RealPath.Resolve(path));

    private string CheckUnderRoots(string input, string path, string real)
    {
        foreach (var root in _realRoots)
        {
            if (RealPath.IsUnder(real, root))
            {
                return real;
            }
        }

        throw new ComputeInputException(
            $"Input '{input}': '{path}' is a symbolic link (or lies below one) to '{real}', which is outside the data roots ({string.Join(", ", _realRoots)}).");
    }

    // Walks a directory by hand rather than with recursive enumeration, so every link is checked
    // against the roots and a link cycle is entered at most once. A glob is judged by what it matches (the
    // path as seen through the walk: link names, not targets): it reaches a file it matches and a directory it
    // can match something below; whatever it does not reach is skipped unchecked, so an unrelated link next to
    // the matched files does not fail the input, and everything it reaches is checked. A directory input
    // (no pattern) reaches everything below it.
    private void Walk(string input, string dir, List<string> relative, string[]? pattern, SortedDictionary<string, long> files, HashSet<string> visited)
    {
        if (!visited.Add(dir))
        {
            return;
        }

        // dir is a real path, so an entry that is not a link is real as it stands (and under the roots): only links are
        // resolved and checked. The entry's type comes from the directory listing, a file's length from one stat, so a
        // folder of thousands of small files costs a syscall or two per file, not one per component of every path.
        var entries = new FileSystemEnumerable<(string Path, string Name, bool IsLink, bool IsDirectory)>(dir,
            static (ref FileSystemEntry e) =>
            {
                var link = (e.Attributes & FileAttributes.ReparsePoint) != 0; // a symbolic link
                return (e.ToFullPath(), e.FileName.ToString(), link, !link && e.IsDirectory);
            },
            s_listing);
        foreach (var entry in entries)
        {
            relative.Add(entry.Name);
            try
            {
                var path = CollectionsMarshal.AsSpan(relative);
                var matches = pattern is null || GlobPattern.MatchSegments(pattern, path);
                var below = pattern is null || GlobPattern.CanMatchBelow(pattern, path);
                if (!matches && !below)
                {
                    continue;
                }

                var real = entry.IsLink ? RealPath.Resolve(entry.Path) : entry.Path;
                var isDirectory = entry.IsLink ? Directory.Exists(real) : entry.IsDirectory;
                if (isDirectory ? !below : !matches)
                {
                    continue; // a file the pattern could only look inside, or a directory it names but does not enter
                }

                if (entry.IsLink)
                {
                    CheckUnderRoots(input, entry.Path, real);
                }

                if (isDirectory)
                {
                    Walk(input, real, relative, pattern, files, visited);
                }
                else if (!entry.IsLink || File.Exists(real))
                {
                    files[real] = new FileInfo(real).Length;
                }
            }
            finally
            {
                relative.RemoveAt(relative.Count - 1);
            }
        }
    }
}
