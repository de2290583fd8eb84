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
            foreach (var error in parse.Errors)
            {
                Terminal.Error(error.Message);
            }

            var path = string.Join(' ', Ancestry(parse.CommandResult.Command));
            Console.Error.WriteLine($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = true });
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
