using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Meetings.Domain;
using Bcd.Projections.Membership;
using Google.Protobuf.WellKnownTypes;
using static Bcd.Meetings.Tests.TestCommittee;
using IcalCalendar = Ical.Net.Calendar;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>The iCalendar feed (RFC 5545) of a person's meetings, parsed back with Ical.Net.</summary>
public sealed class CalendarTests
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);
    // 08:00–11:00 on 15 July 2026, Asia/Ho_Chi_Minh.
    private static readonly DateTimeOffset Starts = new(2026, 7, 15, 8, 0, 0, Vietnam);
    private static readonly DateTimeOffset Revised = new(2026, 7, 2, 14, 30, 0, Vietnam);
    private static readonly DateTimeOffset GeneratedAt = new(2026, 7, 10, 0, 0, 0, Vietnam);

    private static Meeting QuarterlyMeeting(MeetingStatus status = MeetingStatus.Confirmed, params string[] seatIds)
    {
        var meeting = new Meeting
        {
            MeetingId = "mtg-q3",
            CommitteeId = CommitteeId,
            Kind = MeetingKind.QuarterlyPeriodic,
            Title = "Họp Ban Chỉ đạo quý III/2026",
            StartsAt = Timestamp.FromDateTimeOffset(Starts),
            EndsAt = Timestamp.FromDateTimeOffset(Starts.AddHours(3)),
            Location = "Phòng họp số 1, UBND tỉnh; 10 Phù Đổng Thiên Vương",
            ChairPersonId = Head,
            Status = status,
            Version = 4,
            ConvenedAt = Timestamp.FromDateTimeOffset(Revised.AddDays(-1)),
        };
        meeting.Invitees.AddRange((seatIds.Length > 0 ? seatIds : ["seat-giam-doc-so-khcn"])
            .Select(s => new Invitee { Kind = InviteeKind.Member, SeatId = s }));
        meeting.Invitees.Add(new Invitee { Kind = InviteeKind.InvitedAgency, AgencyId = "so-tai-chinh", DisplayName = "Sở Tài chính" });
        meeting.History.Add(new HistoryEntry { Time = Timestamp.FromDateTimeOffset(Revised), Action = "MEETING_CONFIRMED" });
        return meeting;
    }

    private static IcalCalendar Feed(string personId, params Meeting[] meetings) =>
        IcalCalendar.Load(MeetingCalendar.Build(personId, meetings, Build(), GeneratedAt))!;

    [Fact]
    public void InvitedMemberSeesTheMeetingWithItsFields_G1()
    {
        var text = MeetingCalendar.Build(MemberKhcn, [QuarterlyMeeting()], Build(), GeneratedAt);
        var calendar = IcalCalendar.Load(text)!;

        Assert.Equal(MeetingCalendar.ProductId, calendar.ProductId);
        var e = Assert.Single(calendar.Events);
        Assert.Equal("mtg-q3@bcd", e.Uid);
        Assert.Equal("Họp Ban Chỉ đạo quý III/2026", e.Summary);
        Assert.Equal("Phòng họp số 1, UBND tỉnh; 10 Phù Đổng Thiên Vương", e.Location);
        Assert.Equal("Họp định kỳ hằng quý", e.Description);
        Assert.Equal("CONFIRMED", e.Status);
        Assert.Equal(4, e.Sequence);
        // DTSTAMP is the meeting's last revision, so the feed is stable between changes.
        Assert.Equal(Revised.UtcDateTime, e.DtStamp!.AsUtc);
        Assert.Contains("PRODID:-//Bcd//Meetings//VI", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MeetingAtEightInHanoiTimeIsOneOClockUtc_G1()
    {
        var text = MeetingCalendar.Build(MemberKhcn, [QuarterlyMeeting()], Build(), GeneratedAt);
        var e = Assert.Single(IcalCalendar.Load(text)!.Events);

        Assert.True(e.DtStart!.IsUtc);
        Assert.Equal(new DateTime(2026, 7, 15, 1, 0, 0, DateTimeKind.Utc), e.DtStart.AsUtc);
        Assert.Equal(new DateTime(2026, 7, 15, 4, 0, 0, DateTimeKind.Utc), e.DtEnd!.AsUtc);
        Assert.Contains("DTSTART:20260715T010000Z", text, StringComparison.Ordinal);
        Assert.Contains("DTEND:20260715T040000Z", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MemberKhcn, 1)]     // holds the invited seat
    [InlineData(Head, 1)]           // chairs
    [InlineData(MemberNoiVu, 0)]    // a member whose seat is not invited
    [InlineData(StandingAgencyStaff, 0)]
    [InlineData("nguoi-ngoai", 0)]
    public void OnlyInviteesAndTheChairSeeTheMeeting_G1(string personId, int events)
    {
        var calendar = Feed(personId, QuarterlyMeeting());

        Assert.Equal(events, calendar.Events.Count);
    }

    [Fact]
    public void SeatHolderOnTheMeetingDayIsInvitedNotTheFormerHolder_G1()
    {
        // Sở KH&CN's director changes on 11 July; the meeting is on 15 July.
        var view = Build();
        view = view with
        {
            Seats = view.Seats.Select(s => s.SeatId != "seat-giam-doc-so-khcn" ? s : s with
            {
                Tenures = [new TenureView(MemberKhcn, "Giám đốc cũ", Founded, new DateOnly(2026, 7, 10)), new TenureView("giam-doc-moi", "Giám đốc mới", new DateOnly(2026, 7, 11), null)],
            }).ToList(),
        };

        Assert.Single(IcalCalendar.Load(MeetingCalendar.Build("giam-doc-moi", [QuarterlyMeeting()], view, GeneratedAt))!.Events);
        Assert.Empty(IcalCalendar.Load(MeetingCalendar.Build(MemberKhcn, [QuarterlyMeeting()], view, GeneratedAt))!.Events);
    }

    [Theory]
    [InlineData(MeetingStatus.Convened, "TENTATIVE")]
    [InlineData(MeetingStatus.Confirmed, "CONFIRMED")]
    [InlineData(MeetingStatus.Held, "CONFIRMED")]
    [InlineData(MeetingStatus.Cancelled, "CANCELLED")]
    public void StatusFollowsTheMeetingAndCancelledMeetingsStayAsCancelled_G1(MeetingStatus status, string expected)
    {
        var text = MeetingCalendar.Build(MemberKhcn, [QuarterlyMeeting(status)], Build(), GeneratedAt);

        var e = Assert.Single(IcalCalendar.Load(text)!.Events);
        Assert.Equal(expected, e.Status);
        Assert.Contains($"STATUS:{expected}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OneEventPerMeetingInOrderAndOnlyThisCommittees_G1()
    {
        var later = QuarterlyMeeting(MeetingStatus.Convened);
        later.MeetingId = "mtg-adhoc";
        later.Kind = MeetingKind.AdHoc;
        later.StartsAt = Timestamp.FromDateTimeOffset(Starts.AddDays(7));
        later.EndsAt = Timestamp.FromDateTimeOffset(Starts.AddDays(7).AddHours(2));
        var otherCommittee = QuarterlyMeeting();
        otherCommittee.MeetingId = "mtg-other";
        otherCommittee.CommitteeId = "another-committee";

        var calendar = Feed(MemberKhcn, later, QuarterlyMeeting(), otherCommittee);

        Assert.Equal(["mtg-q3@bcd", "mtg-adhoc@bcd"], calendar.Events.Select(e => e.Uid));
        Assert.Equal("Họp đột xuất", calendar.Events.Last().Description);
    }

    [Fact]
    public void PersonWithoutMeetingsGetsAnEmptyButValidCalendar_G1()
    {
        var text = MeetingCalendar.Build(MemberNoiVu, [], Build(), GeneratedAt);

        Assert.StartsWith("BEGIN:VCALENDAR", text, StringComparison.Ordinal);
        Assert.Contains("VERSION:2.0", text, StringComparison.Ordinal);
        Assert.Empty(IcalCalendar.Load(text)!.Events);
    }
}
