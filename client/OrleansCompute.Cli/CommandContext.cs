using System.CommandLine;
using OrleansCompute.Client;

namespace OrleansCompute.Cli;

/// <summary>What a command's action gets: the parse result, the API client, the console and <c>--json</c>.</summary>
public sealed class CommandContext(ParseResult parse, OcxClient client, Terminal terminal, bool json)
{
    public ParseResult Parse { get; } = parse;

    public OcxClient Client { get; } = client;

    public Terminal Terminal { get; } = terminal;

    /// <summary><c>--json</c>: JSON on standard output, no tables, no live widgets.</summary>
    public bool Json { get; } = json;

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;
}
