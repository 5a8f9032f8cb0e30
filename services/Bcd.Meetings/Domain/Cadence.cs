using Bcd.Contracts.Meetings.V1;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Meetings.Domain;

/// <summary>
/// G6 (Điều 12.1 "họp định kỳ 03 tháng/01 lần … sơ kết 6 tháng, họp tổng kết cuối năm"): computed
/// from the committee's meetings, never typed. Quarters and years are the province's (Asia/Ho_Chi_Minh).
/// </summary>
public static class Cadence
{
    /// <summary>
    /// Per quarter: the earliest held QUARTERLY_PERIODIC meeting that starts in it (only that kind
    /// counts: the rule is about the periodic meeting; reviews and ad-hoc meetings are reported apart),
    /// missed once the quarter has ended without one, in progress until it ends. The six-month review
    /// counts for the year it is held in; a year-end review held in January or February counts for
    /// the year before, as such reviews are often held just after the year closes.
    /// </summary>
    public static CadenceReport Report(string committeeId, int year, IEnumerable<Meeting> meetings, DateTimeOffset now)
    {
        var held = meetings
            .Where(m => m.CommitteeId == committeeId && m.Status == MeetingStatus.Held && m.StartsAt is not null)
            .Select(m => (Meeting: m, Day: ProvinceTime.DateOf(m.StartsAt.ToDateTimeOffset())))
            .OrderBy(x => x.Meeting.StartsAt.ToDateTimeOffset())
            .ToList();

        var report = new CadenceReport { CommitteeId = committeeId, Year = year, AsOf = Timestamp.FromDateTimeOffset(now) };
        for (var quarter = 1; quarter <= 4; quarter++)
        {
            var first = new DateOnly(year, (quarter * 3) - 2, 1);
            var next = first.AddMonths(3);
            var periodic = held.FirstOrDefault(x => x.Meeting.Kind == MeetingKind.QuarterlyPeriodic && x.Day >= first && x.Day < next).Meeting;
            var ended = now >= ProvinceTime.StartOfDay(next);
            report.Quarters.Add(new QuarterCadence
            {
                Quarter = quarter,
                PeriodicMeetingId = periodic?.MeetingId ?? string.Empty,
                Held = periodic is not null,
                Missed = ended && periodic is null,
                InProgress = !ended,
            });
        }

        var sixMonth = held.FirstOrDefault(x => x.Meeting.Kind == MeetingKind.SixMonthReview && x.Day.Year == year).Meeting;
        report.SixMonthReviewMeetingId = sixMonth?.MeetingId ?? string.Empty;
        report.SixMonthReviewHeld = sixMonth is not null;

        var yearEnd = held.FirstOrDefault(x => x.Meeting.Kind == MeetingKind.YearEndReview && ReviewedYear(x.Day) == year).Meeting;
        report.YearEndReviewMeetingId = yearEnd?.MeetingId ?? string.Empty;
        report.YearEndReviewHeld = yearEnd is not null;
        return report;
    }

    private static int ReviewedYear(DateOnly heldOn) => heldOn.Month <= 2 ? heldOn.Year - 1 : heldOn.Year;
}
