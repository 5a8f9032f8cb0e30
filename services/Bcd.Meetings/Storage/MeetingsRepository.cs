using Bcd.Contracts.Meetings.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Meetings.Storage;

/// <summary>
/// Where meetings, notices of conclusions and consultations live in the service's Redis key space.
/// Each is an aggregate of its own (one key, versioned); per-committee sorted sets index them by time.
/// </summary>
public sealed class MeetingsRepository(RedisStore store)
{
    public RedisStore Store => store;

    public string MeetingKey(string committeeId, string meetingId) => store.Keys.Aggregate("meeting", $"{committeeId}:{meetingId}");

    public string MeetingIndex(string committeeId) => store.Keys.Index("meetings:" + committeeId);

    public string NoticeKey(string committeeId, string noticeId) => store.Keys.Aggregate("notice", $"{committeeId}:{noticeId}");

    public string NoticeIndex(string committeeId) => store.Keys.Index("notices:" + committeeId);

    /// <summary>G4: the last number given to a notice of this committee in this year.</summary>
    public string NoticeSequenceKey(string committeeId, int year) => store.Keys.Aggregate("notice-seq", $"{committeeId}:{year}");

    public string ConsultationKey(string committeeId, string consultationId) =>
        store.Keys.Aggregate("consultation", $"{committeeId}:{consultationId}");

    public string ConsultationIndex(string committeeId) => store.Keys.Index("consultations:" + committeeId);

    public async Task<Versioned<Meeting>> LoadMeetingAsync(string committeeId, string meetingId) =>
        await store.LoadRequiredAsync(MeetingKey(committeeId, meetingId), Meeting.Parser, "meeting", meetingId);

    /// <summary>Meetings of a committee whose start falls in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<Meeting>> LoadMeetingsAsync(string committeeId, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var ids = await store.Database.SortedSetRangeByScoreAsync(MeetingIndex(committeeId),
            from?.ToUnixTimeSeconds() ?? double.NegativeInfinity,
            to is null ? double.PositiveInfinity : to.Value.ToUnixTimeSeconds(),
            StackExchange.Redis.Exclude.Stop);
        return await store.LoadManyAsync(ids.Select(id => MeetingKey(committeeId, id!)), Meeting.Parser);
    }

    /// <summary>A new meeting: refused by the commit itself if the id exists.</summary>
    public ChangeSet AddMeeting(ChangeSet changes, Meeting meeting)
    {
        meeting.Version = 1;
        return changes
            .Create(MeetingKey(meeting.CommitteeId, meeting.MeetingId), meeting, () => new AlreadyExistsException("meeting", meeting.MeetingId))
            .SortedSetAdd(MeetingIndex(meeting.CommitteeId), meeting.MeetingId, meeting.StartsAt.Seconds);
    }

    public ChangeSet SaveMeeting(ChangeSet changes, Meeting meeting, long expectedVersion)
    {
        meeting.Version = expectedVersion + 1;
        return changes
            .Save(MeetingKey(meeting.CommitteeId, meeting.MeetingId), expectedVersion, meeting)
            .SortedSetAdd(MeetingIndex(meeting.CommitteeId), meeting.MeetingId, meeting.StartsAt.Seconds);
    }

    public async Task<Versioned<ConclusionNotice>> LoadNoticeAsync(string committeeId, string noticeId) =>
        await store.LoadRequiredAsync(NoticeKey(committeeId, noticeId), ConclusionNotice.Parser, "conclusion notice", noticeId);

    /// <summary>Notices of a committee issued before <paramref name="issuedBefore"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ConclusionNotice>> LoadNoticesAsync(string committeeId, DateTimeOffset issuedBefore)
    {
        var ids = await store.Database.SortedSetRangeByScoreAsync(NoticeIndex(committeeId), double.NegativeInfinity,
            issuedBefore.ToUnixTimeSeconds(), StackExchange.Redis.Exclude.Stop);
        return await store.LoadManyAsync(ids.Select(id => NoticeKey(committeeId, id!)), ConclusionNotice.Parser);
    }

    /// <summary>The next notice number of the year and the version the counter must still have at commit.</summary>
    public async Task<(int Next, long CounterVersion)> NextNoticeSequenceAsync(string committeeId, int year)
    {
        var counter = await store.LoadAsync(NoticeSequenceKey(committeeId, year), Int64Value.Parser);
        return counter is null ? (1, 0) : ((int)counter.State.Value + 1, counter.Version);
    }

    /// <summary>
    /// Stores a new notice and moves the year's counter in the same commit; two notices racing for one
    /// number conflict on the counter's version (ABORTED) instead of sharing it.
    /// </summary>
    public ChangeSet AddNotice(ChangeSet changes, ConclusionNotice notice, long counterVersion)
    {
        var counterKey = NoticeSequenceKey(notice.CommitteeId, notice.Year);
        var counter = new Int64Value { Value = notice.Sequence };
        if (counterVersion == 0)
        {
            changes.Create(counterKey, counter, () => new ConcurrencyConflictException(counterKey));
        }
        else
        {
            changes.Save(counterKey, counterVersion, counter);
        }

        return changes
            .Create(NoticeKey(notice.CommitteeId, notice.NoticeId), notice, () => new AlreadyExistsException("conclusion notice", notice.NoticeId))
            .SortedSetAdd(NoticeIndex(notice.CommitteeId), notice.NoticeId, notice.IssuedAt.Seconds);
    }

    public ChangeSet SaveNotice(ChangeSet changes, ConclusionNotice notice, long expectedVersion) =>
        changes.Save(NoticeKey(notice.CommitteeId, notice.NoticeId), expectedVersion, notice);

    public async Task<Versioned<Consultation>> LoadConsultationAsync(string committeeId, string consultationId) =>
        await store.LoadRequiredAsync(ConsultationKey(committeeId, consultationId), Consultation.Parser, "consultation", consultationId);

    public ChangeSet AddConsultation(ChangeSet changes, Consultation consultation)
    {
        consultation.Version = 1;
        return changes
            .Create(ConsultationKey(consultation.CommitteeId, consultation.ConsultationId), consultation,
                () => new AlreadyExistsException("consultation", consultation.ConsultationId))
            .SortedSetAdd(ConsultationIndex(consultation.CommitteeId), consultation.ConsultationId, consultation.OpenedAt.Seconds);
    }

    public ChangeSet SaveConsultation(ChangeSet changes, Consultation consultation, long expectedVersion)
    {
        consultation.Version = expectedVersion + 1;
        return changes.Save(ConsultationKey(consultation.CommitteeId, consultation.ConsultationId), expectedVersion, consultation);
    }
}
