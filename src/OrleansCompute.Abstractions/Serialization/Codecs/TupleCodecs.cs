namespace OrleansCompute.Serialization.Codecs;

// Tuples are objects whose items are fields 1..n.

internal sealed class ValueTupleCodec<T1, T2> : IFieldCodec<ValueTuple<T1, T2>>
{
    public void WriteField(ref Writer writer, uint fieldId, ValueTuple<T1, T2> value)
    {
        writer.WriteStartObject(fieldId);
        Codec<T1>.Instance.WriteField(ref writer, 1, value.Item1);
        Codec<T2>.Instance.WriteField(ref writer, 2, value.Item2);
        writer.WriteEndObject();
    }

    public ValueTuple<T1, T2> ReadValue(ref Reader reader, Field field)
    {
        reader.EnterObject(field);
        ValueTuple<T1, T2> result = default;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case 1: result.Item1 = Codec<T1>.Instance.ReadValue(ref reader, f); break;
                case 2: result.Item2 = Codec<T2>.Instance.ReadValue(ref reader, f); break;
                default: reader.SkipField(f); break;
            }
        }

        return result;
    }
}

internal sealed class ValueTupleCodec<T1, T2, T3> : IFieldCodec<ValueTuple<T1, T2, T3>>
{
    public void WriteField(ref Writer writer, uint fieldId, ValueTuple<T1, T2, T3> value)
    {
        writer.WriteStartObject(fieldId);
        Codec<T1>.Instance.WriteField(ref writer, 1, value.Item1);
        Codec<T2>.Instance.WriteField(ref writer, 2, value.Item2);
        Codec<T3>.Instance.WriteField(ref writer, 3, value.Item3);
        writer.WriteEndObject();
    }

    public ValueTuple<T1, T2, T3> ReadValue(ref Reader reader, Field field)
    {
        reader.EnterObject(field);
        ValueTuple<T1, T2, T3> result = default;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case 1: result.Item1 = Codec<T1>.Instance.ReadValue(ref reader, f); break;
                case 2: result.Item2 = Codec<T2>.Instance.ReadValue(ref reader, f); break;
                case 3: result.Item3 = Codec<T3>.Instance.ReadValue(ref reader, f); break;
                default: reader.SkipField(f); break;
            }
        }

        return result;
    }
}

internal sealed class ValueTupleCodec<T1, T2, T3, T4> : IFieldCodec<ValueTuple<T1, T2, T3, T4>>
{
    public void WriteField(ref Writer writer, uint fieldId, ValueTuple<T1, T2, T3, T4> value)
    {
        writer.WriteStartObject(fieldId);
        Codec<T1>.Instance.WriteField(ref writer, 1, value.Item1);
        Codec<T2>.Instance.WriteField(ref writer, 2, value.Item2);
        Codec<T3>.Instance.WriteField(ref writer, 3, value.Item3);
        Codec<T4>.Instance.WriteField(ref writer, 4, value.Item4);
        writer.WriteEndObject();
    }

    public ValueTuple<T1, T2, T3, T4> ReadValue(ref Reader reader, Field field)
    {
        reader.EnterObject(field);
        ValueTuple<T1, T2, T3, T4> result = default;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case 1: result.Item1 = Codec<T1>.Instance.ReadValue(ref reader, f); break;
                case 2: result.Item2 = Codec<T2>.Instance.ReadValue(ref reader, f); break;
                case 3: result.Item3 = Codec<T3>.Instance.ReadValue(ref reader, f); break;
                case 4: result.Item4 = Codec<T4>.Instance.ReadValue(ref reader, f); break;
                default: reader.SkipField(f); break;
            }
        }

        return result;
    }
}

internal sealed class TupleCodec<T1, T2> : IFieldCodec<Tuple<T1, T2>>
{
    private readonly ValueTupleCodec<T1, T2> _inner = new();

    public void WriteField(ref Writer writer, uint fieldId, Tuple<T1, T2> value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        _inner.WriteField(ref writer, fieldId, (value.Item1, value.Item2));
    }

    public Tuple<T1, T2> ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return null!;
        }

        var (a, b) = _inner.ReadValue(ref reader, field);
        return Tuple.Create(a, b);
    }
}

internal sealed class TupleCodec<T1, T2, T3> : IFieldCodec<Tuple<T1, T2, T3>>
{
    private readonly ValueTupleCodec<T1, T2, T3> _inner = new();

    public void WriteField(ref Writer writer, uint fieldId, Tuple<T1, T2, T3> value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        _inner.WriteField(ref writer, fieldId, (value.Item1, value.Item2, value.Item3));
    }

    public Tuple<T1, T2, T3> ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return null!;
        }

        var (a, b, c) = _inner.ReadValue(ref reader, field);
        return Tuple.Create(a, b, c);
    }
}

internal sealed class TupleCodec<T1, T2, T3, T4> : IFieldCodec<Tuple<T1, T2, T3, T4>>
{
    private readonly ValueTupleCodec<T1, T2, T3, T4> _inner = new();

    public void WriteField(ref Writer writer, uint fieldId, Tuple<T1, T2, T3, T4> value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        _inner.WriteField(ref writer, fieldId, (value.Item1, value.Item2, value.Item3, value.Item4));
    }

    public Tuple<T1, T2, T3, T4> ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return null!;
        }

        var (a, b, c, d) = _inner.ReadValue(ref reader, field);
        return Tuple.Create(a, b, c, d);
    }
}
