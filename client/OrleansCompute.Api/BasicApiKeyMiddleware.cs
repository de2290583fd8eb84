using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// The API key as an HTTP Basic password, on the operator endpoints only (<see cref="ApiKeyScope.IsOperatorPath"/>:
/// the Orleans Dashboard and <c>/metrics</c>) and for GET/HEAD only. The Orleans Dashboard's page fetches its data
/// itself and cannot add <c>X-Api-Key</c>, and Prometheus's <c>basic_auth</c> is how scrapers send credentials; a
/// browser asks for them once (any user name, the key as password) and sends them with every request below the path.
/// A request without <c>X-Api-Key</c> whose <c>Authorization: Basic</c> password is set is handed to
/// <see cref="ApiKeyMiddleware"/> as if the password were its <c>X-Api-Key</c>, so the one rule (and its failure limits)
/// decides; a 401 there also challenges for Basic, which makes browsers ask. Not accepted on <c>/api</c>, where a
/// browser's remembered credentials would go along with requests other sites make it send (CSRF).
/// </summary>
internal sealed class BasicApiKeyMiddleware(RequestDelegate next, ApiKeyValidator validator)
{
    private static readonly StringValues s_challenge = new("Basic realm=\"OrleansCompute (user: any, password: the API key)\", charset=\"UTF-8\"");

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!validator.Required || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) || !ApiKeyScope.IsOperatorPath(request.Path))
        {
            return next(context);
        }

        if (request.Headers[ApiRoutes.ApiKeyHeader].Count == 0 && BasicPassword(request.Headers.Authorization) is { } password)
        {
            request.Headers[ApiRoutes.ApiKeyHeader] = password;
        }

        context.Response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            if (response.StatusCode == StatusCodes.Status401Unauthorized)
            {
                response.Headers.WWWAuthenticate = StringValues.Concat(s_challenge, response.Headers.WWWAuthenticate);
            }

            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }

    /// <summary>The password of an <c>Authorization: Basic base64(user:password)</c> header; null when there is none or it is malformed.</summary>
    internal static string? BasicPassword(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var encoded = value.AsSpan(6).Trim();
        if (encoded.IsEmpty)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            var ascii = buffer.AsSpan(0, encoded.Length);
            if (Ascii.FromUtf16(encoded, ascii, out _) != OperationStatus.Done
                || Base64.DecodeFromUtf8InPlace(ascii, out var written) != OperationStatus.Done)
            {
                return null;
            }

            var decoded = ascii[..written];
            var colon = decoded.IndexOf((byte)':');
            return colon < 0 || colon == decoded.Length - 1 ? null : Encoding.UTF8.GetString(decoded[(colon + 1)..]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true); // held a key
        }
    }
}
