using Bcd.Contracts.Meetings.V1;
using Bcd.Meetings.Domain;
using Google.Protobuf.WellKnownTypes;
using static Bcd.Meetings.Tests.Domain.MeetingScenario;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>G6: a held periodic meeting every quarter (province time), a six-month and a year-end review each year.</summary>
public sealed class G6CadenceTests
{
    private static Meeting M(string id, MeetingKind kind, DateTimeOffset startsAt, MeetingStatus status = MeetingStatus.Held, string committee = TestCommittee.CommitteeId) => new()
    {
        MeetingId = id,
        CommitteeId = committee,
        Kind = kind,
        StartsAt = Timestamp.FromDateTimeOffset(startsAt),
        Status = status,
    };

    private static readonly Meeting[] Year2026 =
    [
        M("q1", MeetingKind.QuarterlyPeriodic, Local(2026, 2, 10, 8)),
        M("q2-adhoc", MeetingKind.AdHoc, Local(2026, 5, 5, 8)),                                 // ad hoc: not the periodic meeting
        M("q2-cancelled", MeetingKind.QuarterlyPeriodic, Local(2026, 6, 20, 8), MeetingStatus.Cancelled),
        M("q2-other", MeetingKind.QuarterlyPeriodic, Local(2026, 6, 22, 8), committee: "bac-giang"), // another committee's
        M("q3", MeetingKind.QuarterlyPeriodic, Local(2026, 7, 15, 8)),
        M("q4-planned", MeetingKind.QuarterlyPeriodic, Local(2026, 10, 15, 8), MeetingStatus.Confirmed),
    ];

    public static TheoryData<int, bool, bool, bool, string> Quarters => new()
    {
        // quarter, held, missed, in progress, meeting — as of 10/8/2026
        { 1, true, false, false, "q1" },
        { 2, false, true, false, "" },
        { 3, true, false, true, "q3" },
        { 4, false, false, true, "" },
    };

    [Theory]
    [MemberData(nameof(Quarters))]
    public void QuarterIsHeldMissedOrInProgress_G6(int quarter, bool held, bool missed, bool inProgress, string meetingId)
    {
        var report = Cadence.Report(TestCommittee.CommitteeId, 2026, Year2026, Local(2026, 8, 10, 9));

        var q = report.Quarters.Single(x => x.Quarter == quarter);
        Assert.Equal((held, missed, inProgress, meetingId), (q.Held, q.Missed, q.InProgress, q.PeriodicMeetingId));
        Assert.Equal(4, report.Quarters.Count);
    }

    [Theory]
    [InlineData(23, 59, 59, false, true)] // 31/3 23:59:59 in Hà Nội: Q1 has not ended
    [InlineData(24, 0, 0, true, false)]   // 1/4 00:00 in Hà Nội (17:00 UTC on 31/3): Q1 ended without a meeting
    public void QuarterEndsAtMidnightInTheProvince_G6(int hour, int minute, int second, bool missed, bool inProgress)
    {
        var now = Local(2026, 3, 31, 0).AddHours(hour).AddMinutes(minute).AddSeconds(second);

        var q1 = Cadence.Report(TestCommittee.CommitteeId, 2026, [], now).Quarters[0];

        Assert.Equal((missed, inProgress), (q1.Missed, q1.InProgress));
    }

    [Fact]
    public void MeetingIsCountedInTheQuarterOfItsProvinceDate_G6()
    {
        // 31/3 18:00 UTC is 1/4 01:00 in Hà Nội: a second-quarter meeting.
        var meeting = M("m", MeetingKind.QuarterlyPeriodic, new DateTimeOffset(2026, 3, 31, 18, 0, 0, TimeSpan.Zero));

        var report = Cadence.Report(TestCommittee.CommitteeId, 2026, [meeting], Local(2026, 12, 31, 9));

        Assert.True(report.Quarters[0].Missed);
        Assert.Equal("m", report.Quarters[1].PeriodicMeetingId);
    }

    [Fact]
    public void ReviewsAreReportedForTheYear_G6()
    {
        Meeting[] meetings =
        [
            M("six-month", MeetingKind.SixMonthReview, Local(2026, 7, 5, 8)),
            M("year-end-2025", MeetingKind.YearEndReview, Local(2026, 1, 12, 8)), // reviews 2025
            M("year-end-2026", MeetingKind.YearEndReview, Local(2027, 1, 14, 8)), // reviews 2026
        ];

        var report2026 = Cadence.Report(TestCommittee.CommitteeId, 2026, meetings, Local(2027, 2, 1, 9));
        var report2025 = Cadence.Report(TestCommittee.CommitteeId, 2025, meetings, Local(2027, 2, 1, 9));

        Assert.Equal((true, "six-month"), (report2026.SixMonthReviewHeld, report2026.SixMonthReviewMeetingId));
        Assert.Equal((true, "year-end-2026"), (report2026.YearEndReviewHeld, report2026.YearEndReviewMeetingId));
        Assert.Equal((true, "year-end-2025"), (report2025.YearEndReviewHeld, report2025.YearEndReviewMeetingId));
        Assert.False(report2025.SixMonthReviewHeld);
    }

    [Fact]
    public void ReviewNotHeldIsNotReported_G6()
    {
        var report = Cadence.Report(TestCommittee.CommitteeId, 2026,
            [M("six-month", MeetingKind.SixMonthReview, Local(2026, 7, 5, 8), MeetingStatus.Confirmed)], Local(2026, 8, 1, 9));

        Assert.False(report.SixMonthReviewHeld);
        Assert.Empty(report.SixMonthReviewMeetingId);
        Assert.Equal(Local(2026, 8, 1, 9), report.AsOf.ToDateTimeOffset());
    }

    [Fact]
    public void MeetingHeldThroughTheAggregateCountsForItsQuarter_G6()
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);

        var report = Cadence.Report(TestCommittee.CommitteeId, 2026, [meeting.State], Local(2026, 10, 2, 9));

        Assert.Equal(("mtg-1", true, false), (report.Quarters[2].PeriodicMeetingId, report.Quarters[2].Held, report.Quarters[2].Missed));
    }
}
