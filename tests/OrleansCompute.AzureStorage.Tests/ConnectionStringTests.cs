using OrleansCompute.Blobs;

namespace OrleansCompute.AzureStorage.Tests;

public sealed class ConnectionStringTests
{
    private const string Key = "a2V5LWZvci10ZXN0cy1vbmx5LW5vdC1hLXNlY3JldA==";

    [Fact]
    public void Development_storage_maps_to_the_emulator_account_and_endpoint()
    {
        var account = BlobConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", account.Name);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/", account.BlobEndpoint.AbsoluteUri);
        Assert.Equal(Convert.FromBase64String(BlobConnectionString.DevelopmentAccountKey), account.Key);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/c1/a/b%20c.txt", account.GetUri("c1", "a/b c.txt").AbsoluteUri);
    }

    [Fact]
    public void Account_name_key_and_suffix_give_the_virtual_host_endpoint()
    {
        var account = BlobConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=myacct;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("myacct", account.Name);
        Assert.Equal("https://myacct.blob.core.chinacloudapi.cn/", account.BlobEndpoint.AbsoluteUri);
        Assert.Equal(Convert.FromBase64String(Key), account.Key);
    }

    [Fact]
    public void Defaults_are_https_and_core_windows_net_and_setting_names_are_case_insensitive()
    {
        var account = BlobConnectionString.Parse($" accountname = myacct ; ACCOUNTKEY={Key} ; ");

        Assert.Equal("https://myacct.blob.core.windows.net/", account.BlobEndpoint.AbsoluteUri);
    }

    [Fact]
    public void An_explicit_blob_endpoint_wins_over_protocol_and_suffix()
    {
        var account = BlobConnectionString.Parse(
            $"DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:12345/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/q;");

        Assert.Equal("http://127.0.0.1:12345/devstoreaccount1/", account.BlobEndpoint.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:12345/devstoreaccount1", account.EndpointText);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("UseDevelopmentStorage=false", "must be 'true'")]
    [InlineData("UseDevelopmentStorage=true;AccountName=x", "cannot be combined")]
    [InlineData("AccountKey=" + Key, "no AccountName")]
    [InlineData("AccountName=myacct", "no AccountKey")]
    [InlineData("AccountName=MyAcct;AccountKey=" + Key, "not a storage account name")]
    [InlineData("AccountName=myacct;AccountKey=" + Key + ";AccountName=other", "more than once")]
    [InlineData("AccountName=myacct;AccountKey=" + Key + ";Colour=blue", "unknown setting 'Colour'")]
    [InlineData("AccountName=myacct;AccountKey=" + Key + ";garbage", "without 'name=value'")]
    [InlineData("AccountName=myacct;AccountKey=" + Key + ";DefaultEndpointsProtocol=ftp", "'http' or 'https'")]
    [InlineData("AccountName=myacct;AccountKey=" + Key + ";BlobEndpoint=not a url", "not an absolute http(s) URL")]
    [InlineData("AccountName=myacct;AccountKey=" + Key + ";BlobEndpoint=ftp://host/x", "not an absolute http(s) URL")]
    [InlineData("BlobEndpoint=https://myacct.blob.core.windows.net;SharedAccessSignature=sv=2021&sig=abc", "shared access signature")]
    public void Bad_connection_strings_fail_with_a_message_naming_the_problem(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => BlobConnectionString.Parse(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(BlobConnectionString.TryParse(connectionString, out _, out var problem));
        Assert.Equal(error.Message, problem);
    }

    [Fact]
    public void A_key_that_is_not_base64_is_reported_without_repeating_it()
    {
        const string secretLookingKey = "THIS-IS-SECRET-NOT-BASE64!!";

        var error = Assert.Throws<FormatException>(() => BlobConnectionString.Parse($"AccountName=myacct;AccountKey={secretLookingKey}"));

        Assert.Contains("not valid base64", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secretLookingKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", BlobConnectionString.Parse($"AccountName=myacct;AccountKey={Key}").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, BlobConnectionString.Parse($"AccountName=myacct;AccountKey={Key}").ToString(), StringComparison.Ordinal);
    }
}
