using System.CommandLine;
using System.Globalization;
using OrleansCompute.Client;

namespace OrleansCompute.Cli;

/// <summary>
/// Runs one command's action with an API client and turns every failure into one line on standard error
/// and a documented exit code (<see cref="ExitCodes"/>).
/// </summary>
public sealed class CommandRunner(GlobalOptions globals)
{
    public void SetAction(Command command, Func<CommandContext, CancellationToken, Task<int>> action)
    {
        command.SetAction((parse, cancellationToken) => RunAsync(parse, action, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parse, Func<CommandContext, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var url = parse.GetValue(globals.Url) ?? GlobalOptions.DefaultUrl;
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseAddress)
            || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            Terminal.Error($"--url must be an absolute http:// or https:// URL, not '{url}'.");
            return ExitCodes.Usage;
        }

        var timeout = parse.GetValue(globals.Timeout);
        if (!(timeout > 0 && timeout <= 86_400))
        {
            Terminal.Error($"--timeout must be between 0 and 86400 seconds, not {timeout.ToString(CultureInfo.InvariantCulture)}.");
            return ExitCodes.Usage;
        }

        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(timeout) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("ocx/" + (typeof(CommandRunner).Assembly.GetName().Version?.ToString(3) ?? "0"));
        var client = new OcxClient(http, parse.GetValue(globals.ApiKey));
        var context = new CommandContext(parse, client, new Terminal(), parse.GetValue(globals.Json));
        try
        {
            return await action(context, cancellationToken);
        }
        catch (UsageException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.Usage;
        }
        catch (OcxApiException ex) when (ex.IsAuthenticationError)
        {
            var hint = parse.GetValue(globals.ApiKey) is null
                ? $" (pass --api-key or set {GlobalOptions.ApiKeyVariable})"
                : " (check --api-key / " + GlobalOptions.ApiKeyVariable + ")";
            Terminal.Error(ex.Message + hint);
            return ExitCodes.AuthError;
        }
        catch (OcxApiException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.ApiError;
        }
        catch (OcxConnectionException ex)
        {
            Terminal.Error(ex.Message + " (is the silo running? set --url or " + GlobalOptions.UrlVariable + ")");
            return ExitCodes.CannotConnect;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Terminal.Error("interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (IOException ex)
        {
            // The client turns network I/O failures into OcxConnectionException, so this is a local file.
            Terminal.Error(ex.Message);
            return ExitCodes.Usage;
        }
        catch (UnauthorizedAccessException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.Usage;
        }
    }
}
