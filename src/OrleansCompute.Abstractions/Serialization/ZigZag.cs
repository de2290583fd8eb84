namespace OrleansCompute.Serialization;

/// <summary>Zig-zag mapping so small negative numbers become small varints.</summary>
public static class ZigZag
{
    public static uint Encode(int value) => (uint)((value << 1) ^ (value >> 31));

    public static ulong Encode(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int Decode(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    public static long Decode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
