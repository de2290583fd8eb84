using System.CommandLine;
using System.CommandLine.Help;
using OrleansCompute.Cli.Commands;

namespace OrleansCompute.Cli;

/// <summary>The <c>ocx</c> command tree and its entry point.</summary>
public static class OcxApp
{
    public static RootCommand Build()
    {
        var globals = new GlobalOptions();
        var runner = new CommandRunner(globals);
        var root = new RootCommand("ocx — command-line client of the OrleansCompute HTTP API");
        globals.AddTo(root);
        root.Subcommands.Add(JobCommands.Create(runner));
        root.Subcommands.Add(IngestCommand.Create(runner));
        root.Subcommands.Add(DatasetCommands.Top(runner));
        root.Subcommands.Add(DatasetCommands.List(runner));
        root.Subcommands.Add(DatasetCommands.Cluster(runner));
        root.Subcommands.Add(DataCommands.Create(globals));
        return root;
    }

    /// <summary>
    /// Parses and runs. Parse errors (unknown command or option, missing or mistyped argument) print one line
    /// each on standard error plus a pointer to <c>--help</c>, and exit with <see cref="ExitCodes.Usage"/>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var message in Messages(parse.Errors))
            {
                Terminal.Error(message);
            }

            var path = string.Join(' ', Ancestry(parse.CommandResult.Command));
            Console.Error.WriteLine($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = true });
    }

    /// <summary>
    /// The parse errors as a user should read them: no .NET type names ("--top expects a whole number, not 'abc'."), and
    /// an unknown command reported once (not also as "Required command was not provided").
    /// </summary>
    public static IEnumerable<string> Messages(IReadOnlyList<System.CommandLine.Parsing.ParseError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var unknown = errors.Any(e => e.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal));
        foreach (var error in errors)
        {
            if (unknown && error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            {
                continue;
            }

            var typed = s_cannotParse.Match(error.Message);
            yield return typed.Success
                ? $"{typed.Groups["option"].Value} expects {Expected(typed.Groups["type"].Value)}, not '{typed.Groups["value"].Value}'."
                : error.Message;
        }
    }

    private static readonly System.Text.RegularExpressions.Regex s_cannotParse = new(
        @"^Cannot parse argument '(?<value>.*)' for (option|argument) '(?<option>[^']*)' as expected type '(?<type>[^']*)'",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static string Expected(string type)
    {
        var name = type.Contains("System.Nullable", StringComparison.Ordinal) && type.IndexOf('[', StringComparison.Ordinal) is var open and > 0
            ? type[(open + 1)..type.LastIndexOf(']')]
            : type;
        return name switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration such as 00:00:30",
            _ => "a value of another form (see --help)",
        };
    }

    private static Stack<string> Ancestry(Command command)
    {
        var names = new Stack<string>();
        Symbol? current = command;
        while (current is Command c)
        {
            names.Push(c is RootCommand ? "ocx" : c.Name);
            current = c.Parents.FirstOrDefault();
        }

        return names;
    }
}
