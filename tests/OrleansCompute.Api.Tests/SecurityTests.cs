namespace OrleansCompute.Api.Tests;

/// <summary>API keys: when they are mandatory, and how presented keys are compared.</summary>
public sealed class SecurityTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    public void Loopback_urls_need_no_key(string url) =>
        Assert.Null(new ApiOptions { Urls = [url] }.Validate());

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://10.1.2.3:5080")]
    [InlineData("http://api.example.com:5080")]
    public void Any_other_url_needs_a_key_and_the_message_says_why(string url)
    {
        var problem = new ApiOptions { Urls = ["http://127.0.0.1:1", url] }.Validate();
        Assert.NotNull(problem);
        Assert.Contains("not a loopback address", problem, StringComparison.Ordinal);
        Assert.Contains("OrleansCompute:Api:ApiKeys", problem, StringComparison.Ordinal);
        Assert.Null(new ApiOptions { Urls = [url], ApiKeys = ["a-long-enough-random-key"] }.Validate());
    }

    [Fact]
    public void Short_keys_are_refused() =>
        Assert.Contains("shorter than 16", new ApiOptions { ApiKeys = ["short"] }.Validate(), StringComparison.Ordinal);

    [Fact]
    public void Validator_accepts_exactly_the_configured_keys()
    {
        var validator = new ApiKeyValidator(["first-key-0123456789", "second-key-abcdefghij", "  "]);
        Assert.True(validator.Required);
        Assert.True(validator.IsValid("first-key-0123456789"));
        Assert.True(validator.IsValid("second-key-abcdefghij"));
        Assert.False(validator.IsValid(""));
        Assert.False(validator.IsValid("first-key-012345678"));      // prefix
        Assert.False(validator.IsValid("first-key-01234567890"));    // longer
        Assert.False(validator.IsValid("FIRST-KEY-0123456789"));     // case
        Assert.False(validator.IsValid("second-key-abcdefghiJ"));    // last character
        Assert.False(validator.IsValid(new string('x', 10_000)));    // very long (heap path)
        Assert.False(new ApiKeyValidator([]).Required);
    }
}
