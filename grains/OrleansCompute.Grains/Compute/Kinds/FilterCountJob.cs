using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// <c>filter-count</c>: counts the records (lines, for Text) that contain a substring or match a regular expression,
/// and keeps the first few matches. <see cref="FilterOptions.IgnoreCase"/> applies to both modes: a substring is then
/// compared with the ordinal ignore-case rule (<see cref="IgnoreCaseSubstring"/>), otherwise byte for byte. A regex
/// that times out on a record makes that record bad. Partial: a single key (0) → <see cref="MatchTally"/>.
/// </summary>
public sealed class FilterCountJob : ComputeJob<int, MatchTally, FilterCountResult>
{
    private const int MaxSampleChars = 500;

    private readonly byte[] _needle;
    private readonly IgnoreCaseSubstring? _ignoreCase;
    private readonly Regex? _regex;
    private readonly int _maxSamples;

    public FilterCountJob(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = spec.Filter ?? throw new ArgumentException($"Job kind '{spec.Kind}' needs Filter options.", nameof(spec));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxSamples, "Filter.MaxSamples");
        _maxSamples = options.MaxSamples;
        _needle = Encoding.UTF8.GetBytes(options.Pattern);
        if (options.Mode == FilterMode.Substring && options.IgnoreCase)
        {
            _ignoreCase = new IgnoreCaseSubstring(options.Pattern);
        }

        if (options.Mode == FilterMode.Regex)
        {
            var flags = RegexOptions.Compiled | RegexOptions.CultureInvariant | (options.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
            try
            {
                _regex = new Regex(options.Pattern, flags, options.RegexTimeout);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Filter.Pattern is not a valid regular expression: {e.Message}", nameof(spec), e);
            }
        }
    }

    public override void Map(in ComputeRecord record, Combiner<int, MatchTally> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var line = record.Bytes;
        bool matched;
        if (_ignoreCase is not null)
        {
            matched = _ignoreCase.IsMatch(line);
        }
        else if (_regex is null)
        {
            matched = line.IndexOf(_needle) >= 0;
        }
        else
        {
            var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(line.Length));
            try
            {
                var length = Encoding.UTF8.GetChars(line, chars);
                matched = _regex.IsMatch(chars.AsSpan(0, length));
            }
            catch (RegexMatchTimeoutException)
            {
                output.Reject($"regex match timed out after {_regex.MatchTimeout.TotalMilliseconds:0} ms");
                return;
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }

        if (!matched)
        {
            return;
        }

        ref var tally = ref output.GetValueRef(0, out _);
        tally.Matches++;
        if (_maxSamples > 0 && (tally.Samples?.Count ?? 0) < _maxSamples)
        {
            // Records arrive in file order, so a split's first matches are its smallest (path, offset).
            var text = Encoding.UTF8.GetString(line);
            tally.Samples ??= [];
            tally.Samples.Add(new MatchSample
            {
                Path = record.Path,
                Offset = record.Offset,
                Line = text.Length <= MaxSampleChars ? text : text[..MaxSampleChars],
            });
        }
    }

    public override MatchTally Combine(MatchTally accumulated, MatchTally value) => new()
    {
        Matches = accumulated.Matches + value.Matches,
        Samples = BadRecords.MergeOrdered(accumulated.Samples, value.Samples, _maxSamples, static s => (s.Path, s.Offset)),
    };

    public override FilterCountResult Finish(ComputePartial<int, MatchTally> merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        merged.Entries.TryGetValue(0, out var tally);
        return new FilterCountResult { Matches = tally.Matches, Lines = merged.Records, Samples = tally.Samples ?? [] };
    }
}
