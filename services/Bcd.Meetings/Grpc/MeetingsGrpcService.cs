using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Meetings.Domain;
using Bcd.Meetings.Storage;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Bcd.Meetings.Grpc;

/// <summary>
/// bcd.meetings.v1.MeetingsService: loads the aggregate and the committee as the membership
/// projection knows it, lets the domain decide, and commits state, index and events in one change set.
/// </summary>
[Authorize]
public sealed class MeetingsGrpcService(
    MeetingsRepository repository,
    IMembershipView membership,
    IOptions<MeetingsOptions> options,
    CommitteeTurns turns,
    TimeProvider time) : MeetingsService.MeetingsServiceBase
{
    private RedisStore Store => repository.Store;

    public override Task<ConveneMeetingResponse> ConveneMeeting(ConveneMeetingRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, ConveneMeetingResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var now = time.GetUtcNow();
            var meeting = MeetingAggregate.Convene(Ids.New("mtg", now), request, caller, view, now);
            repository.AddMeeting(changes, meeting.State);
            changes.Publish(new MeetingConvened
            {
                Meeting = meeting.State,
                OccurredAt = time.NowTimestamp(),
                Actor = meeting.State.History[^1].Actor,
            }, meeting.State.CommitteeId);
            return new ConveneMeetingResponse { Meeting = meeting.State };
        });
    }

    public override async Task<GetMeetingResponse> GetMeeting(GetMeetingRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var loaded = await repository.LoadMeetingAsync(request.CommitteeId, request.MeetingId);
        return new GetMeetingResponse { Meeting = loaded.State };
    }

    public override async Task<ListMeetingsResponse> ListMeetings(ListMeetingsRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        DateTimeOffset? from = request.Year > 0 ? ProvinceTime.StartOfDay(new DateOnly(request.Year, 1, 1)) : null;
        DateTimeOffset? to = request.Year > 0 ? ProvinceTime.StartOfDay(new DateOnly(request.Year + 1, 1, 1)) : null;
        var meetings = await repository.LoadMeetingsAsync(request.CommitteeId, from, to);
        var page = Paging.Page(meetings, request.PageSize, request.PageToken, 50);
        var response = new ListMeetingsResponse { NextPageToken = page.NextToken };
        response.Meetings.AddRange(page.Items);
        return response;
    }

    public override Task<SetInviteesResponse> SetInvitees(SetInviteesRequest request, ServerCallContext context) =>
        ChangeMeetingAsync(context, request.RequestId, request.CommitteeId, request.MeetingId, SetInviteesResponse.Parser,
            (meeting, caller, view, now) => meeting.SetInvitees(request, caller, view, now),
            meeting => new SetInviteesResponse { Meeting = meeting.State });

    public override Task<FileProposalReportResponse> FileProposalReport(FileProposalReportRequest request, ServerCallContext context) =>
        ChangeMeetingAsync(context, request.RequestId, request.CommitteeId, request.MeetingId, FileProposalReportResponse.Parser,
            (meeting, caller, view, now) => meeting.FileProposalReport(request, caller, view, now),
            meeting => new FileProposalReportResponse { Meeting = meeting.State });

    public override Task<ConfirmMeetingResponse> ConfirmMeeting(ConfirmMeetingRequest request, ServerCallContext context) =>
        ChangeMeetingAsync(context, request.RequestId, request.CommitteeId, request.MeetingId, ConfirmMeetingResponse.Parser,
            (meeting, caller, view, now) => meeting.Confirm(request, caller, view, now),
            meeting => new ConfirmMeetingResponse { Meeting = meeting.State });

    public override Task<RecordMeetingHeldResponse> RecordMeetingHeld(RecordMeetingHeldRequest request, ServerCallContext context) =>
        ChangeMeetingAsync(context, request.RequestId, request.CommitteeId, request.MeetingId, RecordMeetingHeldResponse.Parser,
            (meeting, caller, view, now) => meeting.RecordHeld(request, caller, view, now),
            meeting => new RecordMeetingHeldResponse { Meeting = meeting.State },
            (meeting, changes) =>
            {
                var held = new MeetingHeld
                {
                    CommitteeId = meeting.State.CommitteeId,
                    MeetingId = meeting.Id,
                    Kind = meeting.State.Kind,
                    StartsAt = meeting.State.StartsAt,
                    OccurredAt = time.NowTimestamp(),
                    Actor = meeting.State.History[^1].Actor,
                };
                held.PresentSeatIds.AddRange(meeting.State.PresentSeatIds);
                held.PresentAgencyIds.AddRange(meeting.State.PresentAgencyIds);
                changes.Publish(held, meeting.State.CommitteeId);
            });

    public override Task<CancelMeetingResponse> CancelMeeting(CancelMeetingRequest request, ServerCallContext context) =>
        ChangeMeetingAsync(context, request.RequestId, request.CommitteeId, request.MeetingId, CancelMeetingResponse.Parser,
            (meeting, caller, view, now) => meeting.Cancel(request, caller, view, now),
            meeting => new CancelMeetingResponse { Meeting = meeting.State },
            (meeting, changes) => changes.Publish(new MeetingCancelled
            {
                CommitteeId = meeting.State.CommitteeId,
                MeetingId = meeting.Id,
                Reason = meeting.State.CancelReason,
                OccurredAt = time.NowTimestamp(),
                Actor = meeting.State.History[^1].Actor,
            }, meeting.State.CommitteeId));

    public override async Task<RequestAbsenceResponse> RequestAbsence(RequestAbsenceRequest request, ServerCallContext context)
    {
        AbsenceRequest? absence = null;
        return await ChangeMeetingAsync(context, request.RequestId, request.CommitteeId, request.MeetingId, RequestAbsenceResponse.Parser,
            (meeting, caller, view, now) => absence = meeting.RequestAbsence(request, caller, view, now, options.Value.For(request.CommitteeId)),
            _ => new RequestAbsenceResponse { Absence = absence });
    }

    public override async Task<DecideAbsenceResponse> DecideAbsence(DecideAbsenceRequest request, ServerCallContext context)
    {
        AbsenceRequest? absence = null;
        return await ChangeMeetingAsync(context, request.RequestId, request.CommitteeId, request.MeetingId, DecideAbsenceResponse.Parser,
            (meeting, caller, view, now) => absence = meeting.DecideAbsence(request, caller, view, now),
            _ => new DecideAbsenceResponse { Absence = absence });
    }

    public override async Task<GetAttendanceRegisterResponse> GetAttendanceRegister(GetAttendanceRegisterRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var loaded = await repository.LoadMeetingAsync(request.CommitteeId, request.MeetingId);
        var response = new GetAttendanceRegisterResponse { MeetingId = request.MeetingId };
        response.Lines.AddRange(new MeetingAggregate(loaded.State).AttendanceRegister());
        return response;
    }

    public override async Task<IssueConclusionResponse> IssueConclusion(IssueConclusionRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        using var turn = await turns.WaitAsync(request.CommitteeId, context.CancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, IssueConclusionResponse.Parser, async changes =>
                {
                    var view = await CommitteeAsync(request.CommitteeId, context);
                    var loaded = await repository.LoadMeetingAsync(request.CommitteeId, request.MeetingId);
                    var now = time.GetUtcNow();
                    var (sequence, counterVersion) = await repository.NextNoticeSequenceAsync(request.CommitteeId, ConclusionNotices.YearOf(now));
                    var meeting = new MeetingAggregate(loaded.State);
                    var notice = meeting.IssueConclusion(request, caller, view, now, Ids.New("tb", now), sequence);
                    repository.AddNotice(changes, notice, counterVersion);
                    repository.SaveMeeting(changes, meeting.State, loaded.Version);
                    changes.Publish(new ConclusionIssued
                    {
                        Notice = notice,
                        OccurredAt = time.NowTimestamp(),
                        Actor = notice.IssuedBy,
                    }, request.CommitteeId);
                    return new IssueConclusionResponse { Notice = notice };
                });
            }
            catch (ConcurrencyConflictException) when (attempt < 3)
            {
                // Another replica took the number (or changed the meeting) first: nothing was written,
                // so deciding again on fresh state is safe.
            }
        }
    }

    public override async Task<GetConclusionResponse> GetConclusion(GetConclusionRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var loaded = await repository.LoadNoticeAsync(request.CommitteeId, request.NoticeId);
        return new GetConclusionResponse { Notice = loaded.State };
    }

    public override Task<AcknowledgeConclusionResponse> AcknowledgeConclusion(AcknowledgeConclusionRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, AcknowledgeConclusionResponse.Parser, async changes =>
        {
            await CommitteeAsync(request.CommitteeId, context);
            var loaded = await repository.LoadNoticeAsync(request.CommitteeId, request.NoticeId);
            var notice = new ConclusionNoticeAggregate(loaded.State);
            var acknowledged = notice.Acknowledge(caller, time.GetUtcNow());
            if (acknowledged.Count > 0)
            {
                repository.SaveNotice(changes, notice.State, loaded.Version);
                foreach (var recipient in acknowledged)
                {
                    changes.Publish(new ConclusionAcknowledged
                    {
                        CommitteeId = request.CommitteeId,
                        NoticeId = request.NoticeId,
                        PersonId = recipient.PersonId,
                        AgencyId = recipient.AgencyId,
                        OccurredAt = time.NowTimestamp(),
                        Actor = recipient.AcknowledgedBy,
                    }, request.CommitteeId);
                }
            }

            return new AcknowledgeConclusionResponse { Notice = notice.State };
        });
    }

    public override async Task<ListUnacknowledgedConclusionsResponse> ListUnacknowledgedConclusions(
        ListUnacknowledgedConclusionsRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var now = time.GetUtcNow();
        var notices = await repository.LoadNoticesAsync(request.CommitteeId, now);
        var response = new ListUnacknowledgedConclusionsResponse();
        response.Conclusions.AddRange(ConclusionNotices.Unacknowledged(notices, now, request.OlderThanDays, options.Value.For(request.CommitteeId)));
        return response;
    }

    public override Task<OpenConsultationResponse> OpenConsultation(OpenConsultationRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, OpenConsultationResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var now = time.GetUtcNow();
            var consultation = ConsultationAggregate.Open(Ids.New("cons", now), caller, view, request.Question, request.Documents,
                request.RecipientPersonIds, request.Deadline.ToDateTimeOffset(), now);
            repository.AddConsultation(changes, consultation.State);
            return new OpenConsultationResponse { Consultation = ConsultationAggregate.ForRead(consultation.State, now) };
        });
    }

    public override Task<AnswerConsultationResponse> AnswerConsultation(AnswerConsultationRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, AnswerConsultationResponse.Parser, async changes =>
        {
            await CommitteeAsync(request.CommitteeId, context);
            var loaded = await repository.LoadConsultationAsync(request.CommitteeId, request.ConsultationId);
            var now = time.GetUtcNow();
            var consultation = new ConsultationAggregate(loaded.State);
            consultation.Answer(caller, request.Position, request.Text, now);
            repository.SaveConsultation(changes, consultation.State, loaded.Version);
            return new AnswerConsultationResponse { Consultation = ConsultationAggregate.ForRead(consultation.State, now) };
        });
    }

    public override async Task<GetConsultationResponse> GetConsultation(GetConsultationRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var loaded = await repository.LoadConsultationAsync(request.CommitteeId, request.ConsultationId);
        return new GetConsultationResponse { Consultation = ConsultationAggregate.ForRead(loaded.State, time.GetUtcNow()) };
    }

    public override Task<DecideConsultationResponse> DecideConsultation(DecideConsultationRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, DecideConsultationResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var loaded = await repository.LoadConsultationAsync(request.CommitteeId, request.ConsultationId);
            var now = time.GetUtcNow();
            var consultation = new ConsultationAggregate(loaded.State);
            consultation.Decide(caller, view, request.Decision, request.Document, now);
            repository.SaveConsultation(changes, consultation.State, loaded.Version);
            changes.Publish(consultation.DecidedEvent(), request.CommitteeId);
            return new DecideConsultationResponse { Consultation = ConsultationAggregate.ForRead(consultation.State, now) };
        });
    }

    public override async Task<GetCadenceReportResponse> GetCadenceReport(GetCadenceReportRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var meetings = await repository.LoadMeetingsAsync(request.CommitteeId,
            ProvinceTime.StartOfDay(new DateOnly(request.Year, 1, 1)),
            // A year-end review may be held early in the next year (Cadence counts it for this one).
            ProvinceTime.StartOfDay(new DateOnly(request.Year + 1, 3, 1)));
        return new GetCadenceReportResponse { Report = Cadence.Report(request.CommitteeId, request.Year, meetings, time.GetUtcNow()) };
    }

    /// <summary>Loads a meeting, applies one domain action, saves it (plus any events) under the request's idempotency.</summary>
    private Task<TResponse> ChangeMeetingAsync<TResponse>(
        ServerCallContext context, string requestId, string committeeId, string meetingId,
        Google.Protobuf.MessageParser<TResponse> parser,
        Action<MeetingAggregate, Caller, CommitteeView, DateTimeOffset> act,
        Func<MeetingAggregate, TResponse> respond,
        Action<MeetingAggregate, ChangeSet>? publish = null)
        where TResponse : Google.Protobuf.IMessage<TResponse>
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), requestId, parser, async changes =>
        {
            var view = await CommitteeAsync(committeeId, context);
            var loaded = await repository.LoadMeetingAsync(committeeId, meetingId);
            var meeting = new MeetingAggregate(loaded.State);
            act(meeting, caller, view, time.GetUtcNow());
            repository.SaveMeeting(changes, meeting.State, loaded.Version);
            publish?.Invoke(meeting, changes);
            return respond(meeting);
        });
    }

    /// <summary>The committee as projected from membership events; a caller of another committee is refused.</summary>
    private Task<CommitteeView> CommitteeAsync(string committeeId, ServerCallContext context) =>
        membership.RequireCommitteeAsync(context.Caller(), committeeId, context.CancellationToken);
}
