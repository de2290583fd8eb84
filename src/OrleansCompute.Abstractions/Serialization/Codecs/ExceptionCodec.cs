using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace OrleansCompute.Serialization.Codecs;

/// <summary>
/// Any exception: an object with its type name (1), message (2), stack trace (3), inner exception (4)
/// and HResult (5). Read back as the same type when it is loadable and has a <c>(string, Exception)</c>
/// or <c>(string)</c> constructor, else as <see cref="RemoteException"/>; the sender's stack trace is
/// attached as the remote stack trace. Reflection here is once per exception type, on a rare path.
/// </summary>
internal sealed class ExceptionCodec<T> : IFieldCodec<T>
    where T : Exception
{
    public void WriteField(ref Writer writer, uint fieldId, T value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        writer.WriteStartObject(fieldId);
        writer.WriteString(1, TypeNames.GetName(value.GetType()));
        writer.WriteString(2, value.Message);
        writer.WriteString(3, value.StackTrace);
        Codec<Exception>.Instance.WriteField(ref writer, 4, value.InnerException!);
        writer.WriteInt32(5, value.HResult);
        writer.WriteEndObject();
    }

    public T ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return null!;
        }

        reader.EnterObject(field);
        string? typeName = null;
        string? message = null;
        string? stackTrace = null;
        Exception? inner = null;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case 1: typeName = reader.ReadString(f); break;
                case 2: message = reader.ReadString(f); break;
                case 3: stackTrace = reader.ReadString(f); break;
                case 4: inner = Codec<Exception>.Instance.ReadValue(ref reader, f); break;
                default: reader.SkipField(f); break;
            }
        }

        typeName ??= typeof(T).FullName ?? "Exception";
        message ??= string.Empty;
        var type = TypeNames.Resolve(typeName);
        var exception = (type is not null && typeof(T).IsAssignableFrom(type) ? ExceptionFactory.TryCreate(type, message, inner) : null)
            ?? (typeof(T) == typeof(Exception) ? new RemoteException(DisplayName(typeName), message, inner) : ExceptionFactory.TryCreate(typeof(T), message, inner))
            ?? throw new SerializerException($"Cannot recreate exception '{typeName}' as '{typeof(T)}': it needs a (string) or (string, Exception) constructor.");
        if (!string.IsNullOrEmpty(stackTrace))
        {
            ExceptionDispatchInfo.SetRemoteStackTrace(exception, stackTrace);
        }

        return (T)exception;
    }

    private static string DisplayName(string wireName)
    {
        var comma = wireName.IndexOf(", ", StringComparison.Ordinal);
        return comma > 0 && wireName.IndexOf('[', StringComparison.Ordinal) < 0 ? wireName[..comma] : wireName;
    }
}

internal static class ExceptionFactory
{
    private static readonly ConcurrentDictionary<Type, Func<string, Exception?, Exception>?> s_factories = new();

    public static Exception? TryCreate(Type type, string message, Exception? inner)
    {
        var factory = s_factories.GetOrAdd(type, CreateFactory);
        if (factory is null)
        {
            return null;
        }

        try
        {
            return factory(message, inner);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static Func<string, Exception?, Exception>? CreateFactory(Type type)
    {
        if (type.IsAbstract || !typeof(Exception).IsAssignableFrom(type))
        {
            return null;
        }

        var withInner = type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, [typeof(string), typeof(Exception)]);
        var messageOnly = type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, [typeof(string)]);
        if (withInner is not null)
        {
            return (message, inner) => (Exception)withInner.Invoke([message, inner]);
        }

        if (messageOnly is not null)
        {
            return (message, _) => (Exception)messageOnly.Invoke([message]);
        }

        return null;
    }
}
