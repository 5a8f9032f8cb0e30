using Bcd.Contracts.Meetings.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Time;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using IcalCalendar = Ical.Net.Calendar;
using IcalEventStatus = Ical.Net.EventStatus;

namespace Bcd.Meetings.Domain;

/// <summary>
/// A person's meetings as an iCalendar feed (RFC 5545). Pure: the service passes the committee's
/// meetings and its membership view and serves the text.
/// </summary>
/// <remarks>
/// Times are written in UTC: a UTC DATE-TIME needs no VTIMEZONE component (RFC 5545 §3.2.19 requires
/// one for every TZID used), Asia/Ho_Chi_Minh has had no daylight saving since 1975 so nothing is lost,
/// and every client renders UTC in the reader's zone.
/// </remarks>
public static class MeetingCalendar
{
    public const string ProductId = "-//Bcd//Meetings//VI";
    public const string UidSuffix = "@bcd";

    /// <summary>
    /// The RFC 5545 text of the meetings <paramref name="personId"/> is invited to: they chair it, or hold
    /// on the meeting day (province date) a seat the meeting invites. Invited agencies do not count: the
    /// feed is a person's and the view does not say who represents an agency.
    /// Cancelled meetings stay, with STATUS:CANCELLED, so subscribed clients remove them.
    /// </summary>
    /// <param name="generatedAt">DTSTAMP for a meeting whose history gives no revision time.</param>
    public static string Build(string personId, IEnumerable<Meeting> meetings, CommitteeView view, DateTimeOffset generatedAt)
    {
        var calendar = new IcalCalendar { ProductId = ProductId };
        calendar.AddProperty("X-WR-CALNAME", view.Name);

        foreach (var meeting in meetings
                     .Where(m => m.CommitteeId == view.CommitteeId && m.StartsAt is not null && IsInvited(personId, m, view))
                     .OrderBy(m => m.StartsAt.ToInstant())
                     .ThenBy(m => m.MeetingId, StringComparer.Ordinal))
        {
            calendar.Events.Add(ToEvent(meeting, generatedAt));
        }

        return new CalendarSerializer(calendar).SerializeToString()
            ?? throw new InvalidOperationException("Ical.Net returned no text for the calendar.");
    }

    /// <summary>G1: the chair decides who attends; a member invitee is a seat, whose holder on the meeting day attends.</summary>
    public static bool IsInvited(string personId, Meeting meeting, CommitteeView view)
    {
        if (meeting.ChairPersonId == personId)
        {
            return true;
        }

        var day = ProvinceTime.DateOf(meeting.StartsAt.ToInstant());
        foreach (var invitee in meeting.Invitees.Where(i => i.Kind == InviteeKind.Member))
        {
            if (!string.IsNullOrEmpty(invitee.SeatId))
            {
                // The seat decides, not a person recorded at convening: a successor appointed since attends.
                var seat = view.Seats.FirstOrDefault(s => s.SeatId == invitee.SeatId);
                if (seat?.HolderOn(day)?.PersonId == personId)
                {
                    return true;
                }
            }
            else if (invitee.PersonId == personId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tên loại cuộc họp, for DESCRIPTION.</summary>
    public static string KindVi(MeetingKind kind) => kind switch
    {
        MeetingKind.QuarterlyPeriodic => "Họp định kỳ hằng quý",
        MeetingKind.AdHoc => "Họp đột xuất",
        MeetingKind.SixMonthReview => "Hội nghị sơ kết 6 tháng",
        MeetingKind.YearEndReview => "Hội nghị tổng kết cuối năm",
        MeetingKind.StandingBoard => "Họp Thường trực Ban Chỉ đạo",
        MeetingKind.WorkingGroup => "Họp Tổ Công tác",
        MeetingKind.Conference => "Hội nghị, hội thảo",
        _ => "Cuộc họp",
    };

    public static string StatusOf(MeetingStatus status) => status switch
    {
        MeetingStatus.Confirmed or MeetingStatus.Held => IcalEventStatus.Confirmed,
        MeetingStatus.Cancelled => IcalEventStatus.Cancelled,
        // Convened but not confirmed: G2's proposal report may still be missing.
        _ => IcalEventStatus.Tentative,
    };

    private static CalendarEvent ToEvent(Meeting meeting, DateTimeOffset generatedAt)
    {
        var description = KindVi(meeting.Kind);
        if (meeting.Status == MeetingStatus.Cancelled && !string.IsNullOrWhiteSpace(meeting.CancelReason))
        {
            description += $"\nĐã hủy: {meeting.CancelReason}";
        }

        var ends = meeting.EndsAt ?? meeting.StartsAt;
        return new CalendarEvent
        {
            Uid = meeting.MeetingId + UidSuffix,
            DtStamp = Utc(LastRevised(meeting) ?? generatedAt),
            DtStart = Utc(meeting.StartsAt.ToInstant()),
            DtEnd = Utc(ends.ToInstant()),
            Summary = meeting.Title,
            Location = meeting.Location,
            Description = description,
            Status = StatusOf(meeting.Status),
            // Clients replace an event only when SEQUENCE grows; the meeting's version grows with every change.
            Sequence = (int)Math.Clamp(meeting.Version, 0, int.MaxValue),
        };
    }

    /// <summary>Without METHOD, DTSTAMP is when the event's information was last revised (RFC 5545 §3.8.7.2).</summary>
    private static DateTimeOffset? LastRevised(Meeting meeting)
    {
        var times = meeting.History.Where(h => h.Time is not null).Select(h => h.Time.ToInstant());
        if (meeting.ConvenedAt is not null)
        {
            times = times.Append(meeting.ConvenedAt.ToInstant());
        }

        return times.Select(t => (DateTimeOffset?)t).Max();
    }

    private static CalDateTime Utc(DateTimeOffset instant) => new(instant.UtcDateTime, CalDateTime.UtcTzId, hasTime: true);
}
