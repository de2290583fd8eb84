using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using OrleansCompute.Blobs;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>
/// The Shared Key string-to-sign, checked against strings written out by hand from the documented algorithm
/// ("Authorize with Shared Key": 12 standard header lines, canonicalized x-ms-* headers, canonicalized resource).
/// </summary>
public sealed class SharedKeySignerTests
{
    private static readonly BlobAccount s_account = BlobConnectionString.Parse("UseDevelopmentStorage=true");
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Put_blob_with_body_and_condition_signs_the_documented_string()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/state/a~2Eb/c")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("hello")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        request.Headers.TryAddWithoutValidation("If-Match", "\"0x8D0000000000001\"");

        SharedKeySigner.Sign(request, s_account, s_now);

        const string expected =
            "PUT\n" +            // verb
            "\n" +               // Content-Encoding
            "\n" +               // Content-Language
            "5\n" +              // Content-Length
            "\n" +               // Content-MD5
            "application/octet-stream\n" +
            "\n" +               // Date (x-ms-date is used)
            "\n" +               // If-Modified-Since
            "\"0x8D0000000000001\"\n" +
            "\n" +               // If-None-Match
            "\n" +               // If-Unmodified-Since
            "\n" +               // Range
            "x-ms-blob-type:BlockBlob\n" +
            "x-ms-date:Sun, 22 Nov 2026 06:00:00 GMT\n" +
            "x-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/state/a~2Eb/c";
        Assert.Equal(expected, SharedKeySigner.BuildStringToSign(request, "devstoreaccount1"));
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(BlobConnectionString.DevelopmentAccountKey), Encoding.UTF8.GetBytes(expected)));
        Assert.Equal($"SharedKey devstoreaccount1:{signature}", string.Join(",", request.Headers.GetValues("Authorization")));
    }

    [Fact]
    public void Query_parameters_are_lower_cased_sorted_decoded_and_a_zero_content_length_is_empty()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10000/devstoreaccount1/inputs?restype=container&comp=list&prefix=a%20b%2Fc&Marker=m1");
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");
        request.Headers.TryAddWithoutValidation("x-ms-date", "Sun, 22 Nov 2026 06:00:00 GMT");
        request.Headers.TryAddWithoutValidation("X-MS-Range", "bytes=0-9");
        request.Content = new ByteArrayContent([]);

        const string expected =
            "GET\n\n\n\n\n\n\n\n\n\n\n\n" +
            "x-ms-date:Sun, 22 Nov 2026 06:00:00 GMT\n" +
            "x-ms-range:bytes=0-9\n" +
            "x-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/inputs\n" +
            "comp:list\n" +
            "marker:m1\n" +
            "prefix:a b/c\n" +
            "restype:container";
        Assert.Equal(expected, SharedKeySigner.BuildStringToSign(request, "devstoreaccount1"));
    }

    [Fact]
    public void The_signature_is_hmac_sha256_of_the_utf8_string_with_the_decoded_key()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        var signature = SharedKeySigner.ComputeSignature(Encoding.ASCII.GetBytes("Jefe"), "what do ya want for nothing?");

        Assert.Equal(Convert.ToBase64String(Convert.FromHexString("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")), signature);
    }
}
