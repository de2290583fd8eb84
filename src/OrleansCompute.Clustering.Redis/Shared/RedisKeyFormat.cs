using System.Text;

namespace OrleansCompute.Redis;

/// <summary>Builds Redis keys from '/'-separated parts that may themselves contain '/'.</summary>
/// <remarks>
/// Each part is escaped ('%' → <c>%25</c>, '/' → <c>%2F</c>) so that different part lists never give the same key:
/// without it, service <c>a/b</c> + cluster <c>c</c> and service <c>a</c> + cluster <c>b/c</c> would collide.
/// Everything else is kept as is (keys are binary-safe), so keys stay readable in <c>redis-cli</c>.
/// </remarks>
internal static class RedisKeyFormat
{
    /// <summary>The escaped parts joined with '/' (no trailing '/').</summary>
    public static string Join(params ReadOnlySpan<string> parts)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            foreach (var c in parts[i])
            {
                _ = c switch
                {
                    '%' => builder.Append("%25"),
                    '/' => builder.Append("%2F"),
                    _ => builder.Append(c),
                };
            }
        }

        return builder.ToString();
    }
}
