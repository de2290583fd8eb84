namespace OrleansCompute.Grains.Compute;

/// <summary>How the bytes of an input are cut into records.</summary>
public enum InputFormat
{
    /// <summary>One record per line (<c>\n</c>; a <c>\r</c> before it is dropped).</summary>
    Text = 0,

    /// <summary>RFC 4180 CSV: quoted fields may hold delimiters, doubled quotes and newlines.</summary>
    Csv = 1,

    /// <summary>One JSON object per line; empty lines are skipped.</summary>
    JsonLines = 2,
}
