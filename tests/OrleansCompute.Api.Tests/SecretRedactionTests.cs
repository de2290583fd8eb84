using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansCompute.Api.Security;

namespace OrleansCompute.Api.Tests;

/// <summary>What <see cref="SecretRedactor"/> takes out of text, and that the logger factory behind it never lets a secret through.</summary>
public sealed partial class SecretRedactionTests
{
    private const string RedisPassword = "redis pw with spaces 7f3a";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string Signature = "LncXTAkUUFB%2FYVChIM1HoWlq1GpwrmpN4H6moxRBq%2Bk%3D";
    private const string ApiKey = "api-key-0123456789abcdef";
    private const string CertificatePassword = "cert-pass-9x8y7z";

    private static IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["OrleansCompute:Clustering:ConnectionString"] = $"127.0.0.1:6379, password = {RedisPassword} ,ssl=false",
        ["OrleansCompute:Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
        ["OrleansCompute:Compute:Blob:ConnectionString"] = $"BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;SharedAccessSignature=sv=2026-02-06&ss=b&sp=rl&sig={Signature}",
        ["OrleansCompute:Api:ApiKeys:0"] = ApiKey,
        ["OrleansCompute:Tls:CertificatePassword"] = CertificatePassword,
        ["OrleansCompute:Tls:RequireClientCertificate"] = "true",
        ["OrleansCompute:Silo:ClusterId"] = "prod",
    }).Build();

    private static readonly string[] s_secrets = [RedisPassword, AccountKey, Signature, Uri.UnescapeDataString(Signature), ApiKey, CertificatePassword];

    [Fact]
    public void Configured_secrets_are_masked_in_every_form_they_are_printed_in()
    {
        var redactor = SecretRedactor.FromConfiguration(Configuration());
        var text = $"redis {RedisPassword}; key {AccountKey}; sas {Signature}; decoded {Uri.UnescapeDataString(Signature)}; " +
            $"api {ApiKey}; cert {CertificatePassword}; url-encoded {Uri.EscapeDataString(RedisPassword)}";
        var redacted = redactor.Redact(text);
        foreach (var secret in s_secrets.Append(Uri.EscapeDataString(RedisPassword)))
        {
            Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        }

        Assert.Contains("api ***; cert ***", redacted, StringComparison.Ordinal);

        // Ordinary text is left alone (the same instance), and so are settings that are not secrets ("true", ids).
        const string plain = "Clustered as 127.0.0.1:11111@1 in cluster 'prod': RequireClientCertificate is true";
        Assert.Same(plain, redactor.Redact(plain));
    }

    [Theory]
    [InlineData("Input 'https://acct.blob.core.windows.net/c/p?sv=2026&sig=AbC%2Bdef%3D' is not a blob URL", "sig=***'", "AbC")]
    [InlineData("127.0.0.1:6379,password=hunter2hunter2,ssl=true", "password=***,ssl=true", "hunter2")]
    [InlineData("AccountName=a;AccountKey=c2VjcmV0a2V5;EndpointSuffix=core.windows.net", "AccountKey=***;", "c2VjcmV0a2V5")]
    [InlineData("Endpoint=sb://ns/;SharedAccessKeyName=root;SharedAccessKey=k3yk3yk3y", "SharedAccessKey=***", "k3yk3yk3y")]
    [InlineData("connect to redis://admin:s3cr3tpw@cache:6379/0", "redis://admin:***@cache", "s3cr3tpw")]
    [InlineData("Server=db;User Id=sa;Pwd=Passw0rd!;", "Pwd=***;", "Passw0rd")]
    public void Secret_looking_values_are_masked_even_when_not_configured(string text, string expected, string secret)
    {
        var redacted = SecretRedactor.PatternsOnly.Redact(text);
        Assert.Contains(expected, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OrleansCompute:Api:ApiKeys:0", true)]
    [InlineData("OrleansCompute:Tls:CertificatePassword", true)]
    [InlineData("OrleansCompute:Tls:Client:KeyPassphrase", true)]
    [InlineData("Kestrel:Certificates:Default:Password", true)]
    [InlineData("MyService:ClientSecret", true)]
    [InlineData("Smtp:AccessToken", true)]
    [InlineData("REDIS_PASSWORD", true)]
    [InlineData("OrleansCompute:Tls:KeyPath", false)]
    [InlineData("OrleansCompute:Clustering:ConnectionString", false)]
    [InlineData("OrleansCompute:Silo:ClusterId", false)]
    public void Settings_named_like_secrets_are_secrets(string key, bool secret) => Assert.Equal(secret, SecretRedactor.IsSecretName(key));

    [Fact]
    public void Connection_strings_in_log_lines_keep_their_shape()
    {
        Assert.Equal($"127.0.0.1:6379, password =***,ssl=false", SecretRedactor.RedactConnectionString($"127.0.0.1:6379, password = {RedisPassword},ssl=false"));
        Assert.Equal("10.0.0.2:6379", SecretRedactor.RedactConnectionString("10.0.0.2:6379"));
        Assert.Equal("AccountName=a;AccountKey=***;EndpointSuffix=x", SecretRedactor.RedactConnectionString("AccountName=a;AccountKey=abc==;EndpointSuffix=x"));
    }

    [Fact]
    public void The_logger_factory_masks_secrets_in_messages_arguments_and_exceptions_and_passes_other_entries_unchanged()
    {
        var configuration = Configuration();
        var sink = new CapturingProvider();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(sink).SetMinimumLevel(LogLevel.Trace).RedactSecrets(configuration));
        using (var provider = services.BuildServiceProvider())
        {
            var logger = provider.GetRequiredService<ILogger<SecretRedactionTests>>();
            LogConnecting(logger, $"127.0.0.1:6379, password = {RedisPassword}");
            LogFailed(logger, new InvalidOperationException($"AUTH failed for {ApiKey} with AccountKey={AccountKey}"), "upload");
            LogReady(logger, 3);
        }

        Assert.Equal(3, sink.Entries.Count);
        foreach (var entry in sink.Entries)
        {
            foreach (var secret in s_secrets)
            {
                Assert.DoesNotContain(secret, entry.Text, StringComparison.Ordinal);
                Assert.DoesNotContain(entry.State, kv => kv.Value?.ToString()?.Contains(secret, StringComparison.Ordinal) == true);
            }
        }

        Assert.Equal("Connecting to 127.0.0.1:6379, password = ***", sink.Entries[0].Text.Split('\n')[0]);
        Assert.Contains("{OriginalFormat}", sink.Entries[0].State.Select(kv => kv.Key));
        Assert.Contains("AUTH failed for *** with AccountKey=***", sink.Entries[1].Text, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), sink.Entries[1].Text, StringComparison.Ordinal);
        Assert.Equal("Ready after 3 attempts", sink.Entries[2].Text);
        Assert.False(sink.Entries[2].Redacted); // nothing to hide: the original state reached the provider
    }

    [LoggerMessage(1, LogLevel.Information, "Connecting to {Redis}")]
    private static partial void LogConnecting(ILogger logger, string redis);

    [LoggerMessage(2, LogLevel.Error, "Step {Step} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string step);

    [LoggerMessage(3, LogLevel.Information, "Ready after {Attempts} attempts")]
    private static partial void LogReady(ILogger logger, int attempts);

    private sealed record Entry(string Text, IReadOnlyList<KeyValuePair<string, object?>> State, bool Redacted);

    private sealed class CapturingProvider : ILoggerProvider
    {
        public List<Entry> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void Dispose()
        {
        }

        private sealed class Capturing(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = formatter(state, exception) + (exception is null ? "" : "\n" + exception);
                lock (owner.Entries)
                {
                    owner.Entries.Add(new Entry(text, state as IReadOnlyList<KeyValuePair<string, object?>> ?? [], state is RedactedLogState));
                }
            }
        }
    }
}
