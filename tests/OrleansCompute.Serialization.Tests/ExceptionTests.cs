namespace OrleansCompute.Serialization.Tests;

public sealed class ExceptionTests
{
    private static Exception Thrown(Func<Exception> create)
    {
        try
        {
            throw create();
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact]
    public void Exceptions_keep_type_message_inner_exception_and_remote_stack_trace()
    {
        var original = Thrown(() => new InvalidOperationException("outer", new ArgumentException("inner")));

        var copy = RoundTripTests.RoundTrip(original);

        var typed = Assert.IsType<InvalidOperationException>(copy);
        Assert.Equal("outer", typed.Message);
        var inner = Assert.IsType<ArgumentException>(typed.InnerException);
        Assert.Equal("inner", inner.Message);
        Assert.Contains(nameof(Thrown), copy.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void Exceptions_inside_objects_round_trip()
    {
        var value = new WithException
        {
            Error = Thrown(() => new TimeoutException("late")),
            Specific = new InvalidOperationException("specific"),
        };

        var copy = RoundTripTests.RoundTrip(value);

        Assert.Equal("late", Assert.IsType<TimeoutException>(copy.Error).Message);
        Assert.Equal("specific", copy.Specific!.Message);
        Assert.Null(RoundTripTests.RoundTrip(new WithException()).Error);
    }

    [Fact]
    public void An_exception_without_a_message_constructor_becomes_a_RemoteException_with_the_original_type_name()
    {
        var original = Thrown(() => new ExceptionWithoutMessageCtor(7));

        var copy = RoundTripTests.RoundTrip(original);

        var remote = Assert.IsType<RemoteException>(copy);
        Assert.Equal(typeof(ExceptionWithoutMessageCtor).FullName, remote.OriginalTypeName);
        Assert.Equal("code 7", remote.Message);
        Assert.Contains(nameof(Thrown), remote.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exception_of_an_unknown_type_becomes_a_RemoteException()
    {
        var bytes = Serializer.Serialize<Exception>(new InvalidOperationException("x"));
        var from = System.Text.Encoding.UTF8.GetBytes("System.InvalidOperationException");
        var to = System.Text.Encoding.UTF8.GetBytes("System.NoSuchExceptionTypeAnywhe");
        var patched = bytes.ToArray();
        var at = patched.AsSpan().IndexOf(from);
        Assert.True(at >= 0);
        to.CopyTo(patched.AsSpan(at));

        var copy = Serializer.Deserialize<Exception>(patched);

        var remote = Assert.IsType<RemoteException>(copy);
        Assert.Equal("System.NoSuchExceptionTypeAnywhe", remote.OriginalTypeName);
        Assert.Equal("x", remote.Message);
    }
}
