using System.Globalization;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>
/// Orders the CloudEvent "sequence" values of one publisher (its outbox position).
/// </summary>
/// <remarks>
/// The relay sends an outbox stream id "ms-n" zero-padded (CloudEventEnvelope.SequenceOf), whose
/// string order happens to be publication order. The padding is not relied on: another publisher or
/// a hand-written event may send "1712-3", and "1712-10" sorts before "1712-9" as text. Stream ids
/// and plain integers are compared as numbers; anything else falls back to ordinal order, which is
/// what the contract promises ("sorts in publication order").
/// </remarks>
public static class EventSequence
{
    /// <summary>Negative when <paramref name="a"/> was published before <paramref name="b"/>, zero for the same position.</summary>
    public static int Compare(string a, string b) =>
        TryParse(a, out var x) && TryParse(b, out var y) ? x.CompareTo(y) : string.CompareOrdinal(a, b);

    public static bool IsNewer(string candidate, string applied) => Compare(candidate, applied) > 0;

    private static bool TryParse(string sequence, out (ulong Millis, ulong Index) position)
    {
        position = default;
        var dash = sequence.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!ulong.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
            {
                return false;
            }

            position = (whole, 0);
            return true;
        }

        if (ulong.TryParse(sequence.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var millis) &&
            ulong.TryParse(sequence.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            position = (millis, index);
            return true;
        }

        return false;
    }
}
