using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansCompute.Blobs;

/// <summary>
/// Authorizes Blob service requests with Shared Key (the "Authorize with Shared Key" scheme, versions 2015-02-21 and
/// later): <c>Authorization: SharedKey {account}:{base64(HMAC-SHA256(key, StringToSign))}</c> where
/// <code>
/// StringToSign = VERB \n Content-Encoding \n Content-Language \n Content-Length (empty when 0) \n Content-MD5 \n
///                Content-Type \n Date \n If-Modified-Since \n If-Match \n If-None-Match \n If-Unmodified-Since \n
///                Range \n CanonicalizedHeaders CanonicalizedResource
/// CanonicalizedHeaders  = for every x-ms-* header, sorted by lower-cased name: name ":" trimmed value "\n"
/// CanonicalizedResource = "/" account encoded-URI-path, then for every query parameter sorted by lower-cased name:
///                         "\n" name ":" its decoded values sorted and joined by ","
/// </code>
/// <c>x-ms-date</c> is always sent, so the Date line is empty. Path-style endpoints (Azurite) repeat the account
/// name: <c>/devstoreaccount1/devstoreaccount1/container</c>, which is exactly "/" + account + the URI path.
/// </summary>
internal static class SharedKeySigner
{
    private static readonly string[] s_standardRequestHeaders = ["Date", "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"];

    /// <summary>Sets <c>x-ms-date</c> (if missing) and the <c>Authorization</c> header of <paramref name="request"/>.</summary>
    public static void Sign(HttpRequestMessage request, BlobAccount account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(account);
        if (!request.Headers.Contains("x-ms-date"))
        {
            request.Headers.TryAddWithoutValidation("x-ms-date", now.UtcDateTime.ToString("R", CultureInfo.InvariantCulture));
        }

        var signature = ComputeSignature(account.Key, BuildStringToSign(request, account.Name));
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {account.Name}:{signature}");
    }

    /// <summary>base64(HMAC-SHA256(key, UTF-8(stringToSign))).</summary>
    public static string ComputeSignature(byte[] key, string stringToSign)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(stringToSign);
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The string the signature is computed over (see the class remarks).</summary>
    public static string BuildStringToSign(HttpRequestMessage request, string accountName)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.RequestUri);
        var content = request.Content;
        var builder = new StringBuilder(256);
        builder.Append(request.Method.Method.ToUpperInvariant()).Append('\n');
        builder.Append(ContentHeader(content, "Content-Encoding")).Append('\n');
        builder.Append(ContentHeader(content, "Content-Language")).Append('\n');
        var length = content?.Headers.ContentLength;
        builder.Append(length is > 0 ? length.Value.ToString(CultureInfo.InvariantCulture) : "").Append('\n');
        builder.Append(ContentHeader(content, "Content-MD5")).Append('\n');
        builder.Append(ContentHeader(content, "Content-Type")).Append('\n');
        foreach (var name in s_standardRequestHeaders)
        {
            builder.Append(RequestHeader(request, name)).Append('\n');
        }

        AppendCanonicalizedHeaders(builder, request);
        AppendCanonicalizedResource(builder, request.RequestUri, accountName);
        return builder.ToString();
    }

    private static string ContentHeader(HttpContent? content, string name) =>
        content is not null && content.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : "";

    private static string RequestHeader(HttpRequestMessage request, string name) =>
        request.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : "";

    private static void AppendCanonicalizedHeaders(StringBuilder builder, HttpRequestMessage request)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                headers[name.ToLowerInvariant()] = CollapseWhitespace(values.ToString());
            }
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers.NonValidated)
            {
                if (name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                {
                    headers[name.ToLowerInvariant()] = CollapseWhitespace(values.ToString());
                }
            }
        }

        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    private static void AppendCanonicalizedResource(StringBuilder builder, Uri uri, string accountName)
    {
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath);
        var query = uri.Query;
        if (query.Length <= 1)
        {
            return;
        }

        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!parameters.TryGetValue(name, out var list))
            {
                parameters[name] = list = [];
            }

            list.Add(value);
        }

        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            builder.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }
    }

    private static string CollapseWhitespace(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal) && !trimmed.Contains('\t', StringComparison.Ordinal))
        {
            return trimmed;
        }

        var builder = new StringBuilder(trimmed.Length);
        var previousSpace = false;
        foreach (var c in trimmed)
        {
            var space = c is ' ' or '\t';
            if (!space || !previousSpace)
            {
                builder.Append(space ? ' ' : c);
            }

            previousSpace = space;
        }

        return builder.ToString();
    }
}
