namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// Resolves every symbolic link in a path, component by component (what realpath(3) does), so a link
/// anywhere in the path, not just at its end, is followed before a path is checked against the roots.
/// </summary>
internal static class RealPath
{
    private const int MaxLinks = 40;

    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var pending = new Stack<string>();
        PushReversed(pending, Split(full[root.Length..]));
        var current = root;
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }

            var next = Path.Join(current, part);
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                // Not a link we can read; treat as a plain component (existence is checked by the caller).
            }
            catch (UnauthorizedAccessException)
            {
            }

            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new ComputeInputException($"Too many levels of symbolic links resolving '{path}'.");
            }

            // Re-walk the link target: absolute targets restart at the root, relative ones at the link's folder.
            string[] targetParts;
            if (Path.IsPathRooted(target))
            {
                var targetRoot = Path.GetPathRoot(target) ?? root;
                current = targetRoot;
                targetParts = Split(target[targetRoot.Length..]);
            }
            else
            {
                targetParts = Split(target);
            }

            PushReversed(pending, targetParts);
        }

        return current;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it (both already real paths).</summary>
    public static bool IsUnder(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        if (!path.StartsWith(trimmedRoot, comparison))
        {
            return false;
        }

        return path.Length == trimmedRoot.Length
            || path[trimmedRoot.Length] == Path.DirectorySeparatorChar
            || path[trimmedRoot.Length] == Path.AltDirectorySeparatorChar
            || trimmedRoot.Length > 0 && (trimmedRoot[^1] == Path.DirectorySeparatorChar || trimmedRoot[^1] == Path.AltDirectorySeparatorChar);
    }

    private static string[] Split(string relative) =>
        relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);

    // The first component must be popped first.
    private static void PushReversed(Stack<string> stack, string[] parts)
    {
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            stack.Push(parts[i]);
        }
    }
}
