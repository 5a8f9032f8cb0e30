using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;
using Bcd.ServiceDefaults.Validation;
using Google.Protobuf.WellKnownTypes;
using Refuse = Bcd.Meetings.Domain.MeetingRefusals;

namespace Bcd.Meetings.Domain;

public sealed partial class MeetingAggregate
{
    /// <summary>
    /// G4: the chair of a held meeting issues the numbered notice of conclusions. The repository
    /// supplies the id and the next <paramref name="sequence"/> of the committee's province year
    /// (<see cref="ConclusionNotices.YearOf"/>). Each directive must be six-clear: the static rules
    /// ran in the request validator; here the deadline, the agencies and the assigning authority —
    /// which must be the issuer, in the capacity they issue in. The notice goes to every member
    /// holding a seat on the day of issue and to every agency concerned.
    /// </summary>
    public ConclusionNotice IssueConclusion(IssueConclusionRequest request, Caller caller, CommitteeView view, DateTimeOffset now, string noticeId, int sequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        var capacity = RequireChair(caller, view, now, "G4");
        if (State.Status != MeetingStatus.Held)
        {
            throw Refuse.Rule("G4", "MEETING_NOT_HELD", "Conclusions are issued for a meeting that was held.",
                "Chỉ thông báo kết luận đối với cuộc họp đã diễn ra.", ("status", State.Status.ToString()));
        }

        var today = ProvinceTime.DateOf(now);
        var violations = new List<FieldViolation>();
        if (request.Items.Count == 0)
        {
            violations.Add(new FieldViolation("items", "A notice has at least one conclusion.", "Thông báo phải có ít nhất một nội dung kết luận."));
        }

        for (var i = 0; i < request.Items.Count; i++)
        {
            for (var j = 0; j < request.Items[i].Directives.Count; j++)
            {
                var path = $"items[{i}].directives[{j}]";
                var directive = request.Items[i].Directives[j];
                violations.AddRange(DirectiveRules.Check(directive, path, today, view.Agencies.ContainsKey));
                violations.AddRange(CheckAssigningAuthority(directive.AssigningAuthority, path + ".assigning_authority", capacity));
            }
        }

        for (var k = 0; k < request.AlsoNotifyAgencyIds.Count; k++)
        {
            if (!view.Agencies.ContainsKey(request.AlsoNotifyAgencyIds[k]))
            {
                violations.Add(UnknownAgency($"also_notify_agency_ids[{k}]", request.AlsoNotifyAgencyIds[k]));
            }
        }

        ThrowIfAny(violations);

        var issuedAt = Timestamp.FromDateTimeOffset(now);
        var notice = new ConclusionNotice
        {
            NoticeId = noticeId,
            CommitteeId = State.CommitteeId,
            MeetingId = State.MeetingId,
            Number = ConclusionNotices.Number(sequence),
            Year = ConclusionNotices.YearOf(now),
            Sequence = sequence,
            IssuedAt = issuedAt,
            IssuedBy = caller.ToActor(capacity),
        };
        notice.Items.AddRange(request.Items.Select(i => i.Clone()));

        // Điều 12.1: "đến từng thành viên Ban Chỉ đạo và các cơ quan, tổ chức có liên quan".
        foreach (var (seat, holder) in view.RosterOn(today))
        {
            if (holder is not null && notice.Recipients.All(r => r.PersonId != holder.PersonId))
            {
                notice.Recipients.Add(new Recipient { PersonId = holder.PersonId, SeatId = seat.SeatId, DeliveredAt = issuedAt });
            }
        }

        var concerned = request.Items
            .SelectMany(i => i.Directives)
            .SelectMany(d => d.CoordinatingAgencyIds.Prepend(d.LeadAgencyId))
            .Concat(request.AlsoNotifyAgencyIds)
            .Distinct(StringComparer.Ordinal);
        notice.Recipients.AddRange(concerned.Select(a => new Recipient { AgencyId = a, DeliveredAt = issuedAt }));

        State.ConclusionNoticeIds.Add(noticeId);
        Record("CONCLUSION_ISSUED",
            $"Thông báo kết luận số {notice.Number} ({notice.Items.Count} nội dung, {notice.Items.Sum(i => i.Directives.Count)} nhiệm vụ, {notice.Recipients.Count} nơi nhận).",
            caller.ToActor(capacity), now, request.RequestId);
        return notice;
    }

    // "Rõ thẩm quyền": the authority a directive names is the person issuing it, as they issue it.
    private static IEnumerable<FieldViolation> CheckAssigningAuthority(AssigningAuthority? authority, string path, ActingCapacity issuer)
    {
        if (authority is null)
        {
            yield break; // The static rule reports it as required.
        }

        if (authority.PersonId != issuer.PersonId)
        {
            yield return new FieldViolation(path + ".person_id",
                $"The assigning authority must be the issuer of the notice ({issuer.PersonId}).",
                $"Thẩm quyền giao nhiệm vụ phải là người ban hành thông báo ({issuer.PersonId}).");
        }

        if (authority.ActingAs != issuer.ActingAs)
        {
            yield return new FieldViolation(path + ".acting_as",
                $"The issuer acts as {issuer.ActingAs}.",
                $"Người ban hành thông báo với tư cách {issuer.ActingAs}.");
        }

        var delegationId = issuer.DelegationId ?? string.Empty;
        if (authority.DelegationId != delegationId)
        {
            yield return new FieldViolation(path + ".delegation_id",
                delegationId.Length == 0 ? "The issuer acts in person, under no delegation." : $"The issuer acts under delegation {delegationId}.",
                delegationId.Length == 0 ? "Người ban hành không hành động theo ủy quyền." : $"Người ban hành hành động theo ủy quyền {delegationId}.");
        }
    }
}

/// <summary>G4: a notice of conclusions after it is issued — acknowledgement by its recipients.</summary>
public sealed class ConclusionNoticeAggregate(ConclusionNotice state)
{
    public ConclusionNotice State { get; } = state;

    /// <summary>
    /// A recipient acknowledges: a member for themself, a person of an agency concerned for the agency
    /// (both at once when a member's own agency is concerned and the same person acknowledges). Again
    /// is a no-op: the first acknowledgement stands and nothing new is returned.
    /// </summary>
    public IReadOnlyList<Recipient> Acknowledge(Caller caller, DateTimeOffset now)
    {
        var mine = State.Recipients
            .Where(r => (r.PersonId.Length > 0 && r.PersonId == caller.PersonId) ||
                        (r.PersonId.Length == 0 && !string.IsNullOrEmpty(caller.AgencyId) && r.AgencyId == caller.AgencyId))
            .ToList();
        if (mine.Count == 0)
        {
            throw Refuse.Permission("G4", "NOT_A_RECIPIENT",
                $"Notice {State.Number} was not sent to you or your agency.",
                $"Thông báo {State.Number} không gửi đến bạn hoặc cơ quan của bạn.");
        }

        var acknowledged = new List<Recipient>();
        foreach (var recipient in mine.Where(r => r.AcknowledgedAt is null))
        {
            recipient.AcknowledgedAt = Timestamp.FromDateTimeOffset(now);
            recipient.AcknowledgedBy = caller.ToActor(new ActingCapacity(caller.PersonId,
                recipient.PersonId.Length > 0 ? MeetingAuthority.Member : MeetingAuthority.AgencyRepresentative, null));
            acknowledged.Add(recipient);
        }

        return acknowledged;
    }

    public IReadOnlyList<Recipient> Pending() => State.Recipients.Where(r => r.AcknowledgedAt is null).ToList();
}

public static class ConclusionNotices
{
    /// <summary>"12/TB-BCĐ": số thông báo of the Steering Committee (Ban Chỉ đạo).</summary>
    public static string Number(int sequence) => $"{sequence}/TB-BCĐ";

    /// <summary>The numbering year: the province's calendar year at the moment of issue.</summary>
    public static int YearOf(DateTimeOffset issuedAt) => ProvinceTime.DateOf(issuedAt).Year;

    /// <summary>
    /// G4: notices issued at least <paramref name="olderThanDays"/> days (0: the committee's setting)
    /// before <paramref name="now"/> that some recipient has not acknowledged, oldest first.
    /// </summary>
    public static IReadOnlyList<UnacknowledgedConclusion> Unacknowledged(
        IEnumerable<ConclusionNotice> notices, DateTimeOffset now, int olderThanDays, MeetingsSettings settings)
    {
        var days = olderThanDays > 0 ? olderThanDays : settings.UnacknowledgedAfterDays;
        var issuedBy = now.AddDays(-days);
        return notices
            .Where(n => n.IssuedAt.ToDateTimeOffset() <= issuedBy)
            .Select(n => (Notice: n, Pending: new ConclusionNoticeAggregate(n).Pending()))
            .Where(x => x.Pending.Count > 0)
            .OrderBy(x => x.Notice.IssuedAt.ToDateTimeOffset())
            .Select(x =>
            {
                var entry = new UnacknowledgedConclusion { Notice = x.Notice };
                entry.Pending.AddRange(x.Pending);
                return entry;
            })
            .ToList();
    }
}
