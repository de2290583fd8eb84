using Spectre.Console;

namespace OrleansCompute.Cli;

/// <summary>
/// Where ocx writes. Standard output gets results (tables, or JSON with <c>--json</c>); standard error gets
/// errors and, when standard output is redirected, progress lines. When standard output is not a terminal
/// (a pipe, a file, a test) the console is created without ANSI escapes, colours or live widgets, whatever
/// <c>TERM</c> says, so scripts read plain text; <c>NO_COLOR</c> turns colours off on a terminal too.
/// </summary>
public sealed class Terminal
{
    public Terminal(TextWriter? output = null, bool? interactive = null)
    {
        var writer = output ?? Console.Out;
        Interactive = interactive ?? (output is null && !Console.IsOutputRedirected);
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        Out = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = !Interactive || noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!Interactive)
        {
            // Redirected output has no width; wide enough that tables of ids and paths do not wrap.
            Out.Profile.Width = 160;
        }
    }

    /// <summary>Standard output (results).</summary>
    public IAnsiConsole Out { get; }

    /// <summary>True when standard output is a terminal: live progress bars and colours are allowed.</summary>
    public bool Interactive { get; }

    /// <summary>Raw standard output for JSON.</summary>
    public static TextWriter Json => Console.Out;

    /// <summary>One line on standard error, prefixed with <c>ocx: </c>.</summary>
    public static void Error(string message) => Console.Error.WriteLine("ocx: " + message.ReplaceLineEndings(" ").Trim());

    /// <summary>A progress or note line on standard error (used when standard output is not a terminal).</summary>
    public static void Note(string message) => Console.Error.WriteLine(message);
}
