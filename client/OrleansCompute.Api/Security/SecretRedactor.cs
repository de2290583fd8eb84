using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace OrleansCompute.Api.Security;

/// <summary>
/// Takes secrets out of text bound for a log line, an HTTP answer or the console, replacing each with <see cref="Mask"/>:
/// <list type="bullet">
/// <item>by value: every configuration value whose setting is named like a secret (the last name ends in <c>Password</c>,
/// <c>Passphrase</c>, <c>Secret</c>, <c>Key</c>, <c>Keys</c> or <c>Token</c>: API keys, certificate passwords, whatever is
/// added later), and the secret parts of every configured value — <c>password=</c> / <c>pwd=</c> (Redis, ADO.NET),
/// <c>AccountKey=</c> / <c>SharedAccessKey=</c> (Azure), a SAS token's <c>sig=</c>, a URL's <c>user:password@</c> —
/// each also URL-decoded and URL-encoded, the forms libraries print them in;</item>
/// <item>by pattern: any <c>password=</c>, <c>pwd=</c>, <c>AccountKey=</c>, <c>SharedAccessKey=</c>, <c>sig=</c> value and
/// URL password in the text, configured or not (a SAS URL a client sent).</item>
/// </list>
/// Values shorter than <see cref="MinimumSecretLength"/> characters, <c>true</c>/<c>false</c> and numbers are not taken
/// as secrets (they would blank out ordinary text). Text without a secret is returned as the same instance.
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>Shorter configured values are not redacted by value (the patterns still apply).</summary>
    public const int MinimumSecretLength = 4;

    private static readonly string[] s_secretNameEndings = ["password", "passphrase", "secret", "key", "keys", "token"];
    private static readonly string[] s_secretParts = ["password", "pwd", "accountkey", "sharedaccesskey"];
    private readonly string[] _values;

    /// <summary>A redactor of <paramref name="secrets"/> (as given, and URL-decoded and -encoded) and of the patterns.</summary>
    public SecretRedactor(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            AddForms(forms, secret);
        }

        // Longest first, so a secret that contains another is replaced whole.
        _values = [.. forms.OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal)];
    }

    /// <summary>Redacts by pattern only (no configured values).</summary>
    public static SecretRedactor PatternsOnly { get; } = new([]);

    /// <summary>How many distinct secret values (in all their forms) are redacted by value.</summary>
    public int ValueCount => _values.Length;

    /// <summary>A redactor of the secrets in <paramref name="configuration"/> (read once, now).</summary>
    public static SecretRedactor FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var secrets = new List<string>();
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (IsSecretName(key))
            {
                secrets.Add(value.Trim());
            }

            secrets.AddRange(EmbeddedSecrets(value));
        }

        return new SecretRedactor(secrets);
    }

    /// <summary>
    /// Whether the setting <paramref name="key"/> holds a secret: its last name (array indices skipped, so
    /// <c>OrleansCompute:Api:ApiKeys:0</c> is <c>ApiKeys</c>) ends in Password, Passphrase, Secret, Key, Keys or Token.
    /// </summary>
    public static bool IsSecretName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var segments = key.Split(':', StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (segments[i].All(char.IsAsciiDigit))
            {
                continue;
            }

            var name = segments[i].Replace("_", "", StringComparison.Ordinal);
            return s_secretNameEndings.Any(ending => name.EndsWith(ending, StringComparison.OrdinalIgnoreCase));
        }

        return false;
    }

    /// <summary>
    /// The secret parts of a connection string or URL: values of <c>password</c>, <c>pwd</c>, <c>AccountKey</c> and
    /// <c>SharedAccessKey</c> (parts separated by <c>,</c> or <c>;</c>, spaces around names and values allowed, as
    /// StackExchange.Redis and Azure accept them), every <c>sig=</c> value, and a URL's password (<c>user:password@</c>).
    /// </summary>
    public static IEnumerable<string> EmbeddedSecrets(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('=', StringComparison.Ordinal))
        {
            foreach (var part in value.Split([',', ';']))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && s_secretParts.Contains(part[..equals].Trim(), StringComparer.OrdinalIgnoreCase))
                {
                    yield return part[(equals + 1)..].Trim();
                }
            }

            foreach (Match match in SignaturePattern().Matches(value))
            {
                yield return match.Groups["value"].Value;
            }
        }

        foreach (Match match in UrlPasswordPattern().Matches(value))
        {
            yield return match.Groups["value"].Value;
        }
    }

    /// <summary><paramref name="text"/> with every secret replaced by <see cref="Mask"/>; the same instance when it holds none.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var result = text;
        foreach (var secret in _values)
        {
            if (result.Contains(secret, StringComparison.Ordinal))
            {
                result = result.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return RedactPatterns(result);
    }

    /// <summary>
    /// <paramref name="exception"/> itself when its text (<see cref="Exception.ToString"/>: type, messages, stack) holds no
    /// secret, else a <see cref="RedactedException"/> that prints the redacted text.
    /// </summary>
    public Exception Redact(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = exception.ToString();
        var redacted = Redact(text);
        return ReferenceEquals(text, redacted) ? exception : new RedactedException(exception.GetType(), Redact(exception.Message), redacted);
    }

    /// <summary>
    /// A connection string with the values of its secret parts replaced by <see cref="Mask"/> (for a log line that names
    /// where a server is): <c>127.0.0.1:6379,password=x</c> → <c>127.0.0.1:6379,password=***</c>.
    /// </summary>
    public static string RedactConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var result = new StringBuilder(connectionString.Length);
        var start = 0;
        while (start <= connectionString.Length)
        {
            var end = connectionString.IndexOfAny([',', ';'], start);
            if (end < 0)
            {
                end = connectionString.Length;
            }

            var part = connectionString[start..end];
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            result.Append(equals > 0 && s_secretParts.Contains(part[..equals].Trim(), StringComparer.OrdinalIgnoreCase)
                ? part[..(equals + 1)] + Mask
                : part);
            if (end < connectionString.Length)
            {
                result.Append(connectionString[end]);
            }

            start = end + 1;
        }

        return RedactPatterns(result.ToString());
    }

    /// <summary><paramref name="text"/> with secret-looking values (see the class summary) replaced; the same instance when there are none.</summary>
    public static string RedactPatterns(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('=', StringComparison.Ordinal) && KeyValuePattern().IsMatch(text))
        {
            text = KeyValuePattern().Replace(text, static m => m.Groups["value"].Value == Mask ? m.Value : m.Groups["name"].Value + Mask);
        }

        if (text.Contains('@', StringComparison.Ordinal) && UrlPasswordPattern().IsMatch(text))
        {
            text = UrlPasswordPattern().Replace(text, static m => m.Groups["name"].Value + Mask);
        }

        return text;
    }

    private static void AddForms(HashSet<string> forms, string secret)
    {
        secret = secret.Trim();
        if (secret.Length < MinimumSecretLength || secret == Mask || bool.TryParse(secret, out _)
            || double.TryParse(secret, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            return;
        }

        forms.Add(secret);
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(secret);
        }
        catch (UriFormatException)
        {
            decoded = secret;
        }

        if (decoded.Length >= MinimumSecretLength)
        {
            forms.Add(decoded);
        }

        forms.Add(Uri.EscapeDataString(decoded));
    }

    // name=value pairs whose value is a secret: a password (up to , ; whitespace or a quote: Redis and ADO.NET syntax),
    // an Azure account or access key, a SAS signature (up to & as well: a URL query).
    [GeneratedRegex("""(?<name>\b(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*)(?<value>[^;,\s"'<>]+)|(?<name>\bsig\s*=\s*)(?<value>[^&;,\s"'<>#]+)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex KeyValuePattern();

    [GeneratedRegex("""\bsig=(?<value>[^&;,\s"'<>#]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex SignaturePattern();

    // scheme://user:password@host — the password.
    [GeneratedRegex("""(?<name>\b[a-z][a-z0-9+.\-]*://[^/\s:@]*:)(?<value>[^@/\s]+)(?=@)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex UrlPasswordPattern();
}
