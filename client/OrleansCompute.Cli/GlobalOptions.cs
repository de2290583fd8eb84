using System.CommandLine;

namespace OrleansCompute.Cli;

/// <summary>Options every command accepts (declared on the root command, recursive).</summary>
public sealed class GlobalOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string UrlVariable = "OCX_URL";
    public const string ApiKeyVariable = "OCX_API_KEY";

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The API's root URL [env: {UrlVariable}]",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => NonEmpty(Environment.GetEnvironmentVariable(UrlVariable)) ?? DefaultUrl,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key sent in the X-Api-Key header [env: {ApiKeyVariable}]",
        HelpName = "key",
        Recursive = true,
        DefaultValueFactory = _ => NonEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print machine-readable JSON (the API's shapes) instead of tables",
        Recursive = true,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for each API answer",
        HelpName = "seconds",
        Recursive = true,
        DefaultValueFactory = _ => 30,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(ApiKey);
        root.Options.Add(Json);
        root.Options.Add(Timeout);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
