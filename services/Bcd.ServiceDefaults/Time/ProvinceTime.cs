using Google.Protobuf.WellKnownTypes;

namespace Bcd.ServiceDefaults.Time;

/// <summary>
/// Calendar dates in the province's zone (Asia/Ho_Chi_Minh, ARCHITECTURE §3): every "on date D",
/// "1 day before" or "end of quarter" rule is computed here, from a <see cref="TimeProvider"/>.
/// </summary>
public static class ProvinceTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh");

    public static DateOnly Today(this TimeProvider time) => DateOf(time.GetUtcNow());

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>00:00 of <paramref name="date"/> in the province, as an instant.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    public static DateOnly ToDateOnly(this Google.Type.Date date) => new(date.Year, date.Month, date.Day);

    public static Google.Type.Date ToProtoDate(this DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };

    public static bool IsValid(this Google.Type.Date? date) =>
        date is not null && date.Year is >= 1 and <= 9999 && date.Month is >= 1 and <= 12 &&
        date.Day >= 1 && date.Day <= DateTime.DaysInMonth(date.Year, date.Month);

    public static DateTimeOffset ToInstant(this Timestamp timestamp) => timestamp.ToDateTimeOffset();
}
