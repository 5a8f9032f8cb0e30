namespace Bcd.Meetings.Domain;

/// <summary>
/// The knobs the regulation leaves to each committee. Bound from configuration ("Meetings"), with a
/// default and per-committee overrides, because other provinces run the same model with their own habits.
/// </summary>
public sealed class MeetingsSettings
{
    public static readonly MeetingsSettings Default = new();

    /// <summary>
    /// G3: how many days before the meeting day the absence cut-off falls. 0 (Điều 12.3 "trước 01 ngày"
    /// read as "before the meeting's calendar day") puts it at 00:00 of the meeting day, province time.
    /// </summary>
    public int AbsenceCutoffDaysBefore { get; init; }

    /// <summary>G4: a notice counts as unacknowledged once this many days have passed since it was issued.</summary>
    public int UnacknowledgedAfterDays { get; init; } = 7;

    public void Validate()
    {
        if (AbsenceCutoffDaysBefore is < 0 or > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(AbsenceCutoffDaysBefore), AbsenceCutoffDaysBefore, "Expected 0–30 days.");
        }

        if (UnacknowledgedAfterDays is < 1 or > 365)
        {
            throw new ArgumentOutOfRangeException(nameof(UnacknowledgedAfterDays), UnacknowledgedAfterDays, "Expected 1–365 days.");
        }
    }
}

/// <summary>The service's "Meetings" configuration section: a default and overrides by committee id.</summary>
public sealed class MeetingsOptions
{
    public const string Section = "Meetings";

    public MeetingsSettings Default { get; init; } = MeetingsSettings.Default;

    public Dictionary<string, MeetingsSettings> Committees { get; init; } = new(StringComparer.Ordinal);

    public MeetingsSettings For(string committeeId) =>
        Committees.TryGetValue(committeeId, out var settings) ? settings : Default;
}
