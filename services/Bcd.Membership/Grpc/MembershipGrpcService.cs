using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.Membership.Storage;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Bcd.Membership.Grpc;

/// <summary>
/// bcd.membership.v1.MembershipService: loads state, lets <see cref="CommitteeAggregate"/> decide,
/// and commits the state, index, history and events of each command in one change set.
/// </summary>
[Authorize]
public sealed class MembershipGrpcService(MembershipRepository repository, TimeProvider time) : MembershipService.MembershipServiceBase
{
    private RedisStore Store => repository.Store;

    public override Task<CreateCommitteeResponse> CreateCommittee(CreateCommitteeRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        Authority.Require(
            caller.HasRole(BcdClaims.ProvinceChairmanRole) &&
            string.Equals(caller.Province?.Trim(), request.Province.Trim(), StringComparison.OrdinalIgnoreCase),
            "PROVINCE_CHAIRMAN_ONLY",
            $"Only the Chairman of the People's Committee of {request.Province} may found its Steering Committee.",
            $"Chỉ Chủ tịch UBND tỉnh {request.Province} mới được thành lập Ban Chỉ đạo của tỉnh.",
            "M2");
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, CreateCommitteeResponse.Parser, changes =>
        {
            // An existing committee id or province is refused by the commit itself (ALREADY_EXISTS / M1).
            var founded = CommitteeFactory.Found(request, caller, time);
            repository.WriteFounding(changes, founded, caller, new ActingCapacity(caller.PersonId, CommitteeAggregate.HeadRole, null), request.RequestId);
            return Task.FromResult(new CreateCommitteeResponse { Committee = founded.Committee.State.Committee });
        });
    }

    public override async Task<GetCommitteeResponse> GetCommittee(GetCommitteeRequest request, ServerCallContext context)
    {
        context.Caller();
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        return new GetCommitteeResponse { Committee = committee.State.Committee };
    }

    public override async Task<ListCommitteesResponse> ListCommittees(ListCommitteesRequest request, ServerCallContext context)
    {
        context.Caller();
        var ids = (await Store.Database.SetMembersAsync(repository.CommitteeIndex)).Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();
        var page = Paging.Page(ids, request.PageSize, request.PageToken, 100);
        var states = await Store.LoadManyAsync(page.Items.Select(repository.CommitteeKey), Storage.CommitteeState.Parser);
        var response = new ListCommitteesResponse { NextPageToken = page.NextToken };
        response.Committees.AddRange(states.Select(s => s.Committee));
        return response;
    }

    public override async Task<RegisterAgencyResponse> RegisterAgency(RegisterAgencyRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var capacity = committee.RequireStandingAgency(caller, "X4");
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, RegisterAgencyResponse.Parser, changes =>
        {
            // A registered agency id is refused by the commit itself (ALREADY_EXISTS), without a read first.
            var agency = new Agency
            {
                AgencyId = request.AgencyId,
                CommitteeId = request.CommitteeId,
                Name = request.Name.Trim(),
                Kind = request.Kind,
                ShortName = request.ShortName.Trim(),
            };
            changes.Require(repository.CommitteeKey(request.CommitteeId), version);
            repository.AddAgency(changes, agency);
            repository.History(changes, request.CommitteeId, capacity, caller, "AGENCY_REGISTERED", $"Đăng ký cơ quan {agency.Name}",
                requestId: request.RequestId);
            changes.Publish(new AgencyRegistered
            {
                CommitteeId = request.CommitteeId,
                Agency = agency,
                OccurredAt = time.NowTimestamp(),
                Actor = caller.ToActor(capacity),
            }, request.CommitteeId);
            return Task.FromResult(new RegisterAgencyResponse { Agency = agency });
        });
    }

    public override async Task<ListAgenciesResponse> ListAgencies(ListAgenciesRequest request, ServerCallContext context)
    {
        context.Caller();
        await repository.LoadCommitteeAsync(request.CommitteeId);
        var agencies = (await repository.LoadAgenciesAsync(request.CommitteeId)).Values
            .Where(a => request.Kind == AgencyKind.Unspecified || a.Kind == request.Kind)
            .OrderBy(a => a.AgencyId, StringComparer.Ordinal)
            .ToList();
        var page = Paging.Page(agencies, request.PageSize, request.PageToken, 200);
        var response = new ListAgenciesResponse { NextPageToken = page.NextToken };
        response.Agencies.AddRange(page.Items);
        return response;
    }

    public override async Task<ProposeMembershipChangeResponse> ProposeMembershipChange(ProposeMembershipChangeRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        if (!request.EffectiveDate.IsValid())
        {
            throw new InvalidArgumentException("effective_date", "Not a calendar date.", "Ngày không hợp lệ.");
        }

        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var capacity = committee.RequireStandingAgency(caller, "M2");
        var agencies = await repository.LoadAgenciesAsync(request.CommitteeId);
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, ProposeMembershipChangeResponse.Parser, changes =>
        {
            var change = new MembershipChange
            {
                ChangeId = Ids.New("chg", time.GetUtcNow()),
                Kind = request.Kind,
                SeatId = request.SeatId,
                NewSeat = request.NewSeat,
                Person = request.Person,
                EffectiveDate = request.EffectiveDate,
                Reason = request.Reason,
                Status = ChangeStatus.Pending,
                ProposedBy = caller.ToActor(capacity),
                ProposedAt = time.NowTimestamp(),
                ProposalDocument = request.ProposalDocument,
            };
            committee.ValidateChange(change, agencies);
            changes.Require(repository.CommitteeKey(request.CommitteeId), version)
                .Save(repository.ChangeKey(request.CommitteeId, change.ChangeId), 0, change)
                .SortedSetAdd(repository.ChangeIndex(request.CommitteeId), change.ChangeId, time.GetUtcNow().ToUnixTimeMilliseconds());
            repository.History(changes, request.CommitteeId, capacity, caller, "MEMBERSHIP_CHANGE_PROPOSED",
                $"Đề xuất {change.Kind} ({change.ChangeId})", requestId: request.RequestId);
            return Task.FromResult(new ProposeMembershipChangeResponse { Change = change });
        });
    }

    public override async Task<ApproveMembershipChangeResponse> ApproveMembershipChange(ApproveMembershipChangeRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var capacity = committee.RequireHeadOrDelegate(caller, DelegationScope.SignDocuments, time.GetUtcNow(), "M2");
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, ApproveMembershipChangeResponse.Parser, async changes =>
        {
            var (change, changeVersion) = await LoadPendingChangeAsync(request.CommitteeId, request.ChangeId);
            var agencies = await repository.LoadAgenciesAsync(request.CommitteeId);
            committee.ValidateChange(change, agencies);
            var decision = request.Decision.Clone();
            decision.Signer = caller.DisplayName;
            var (seat, previous) = committee.ApplyChange(change, decision);
            change.Status = ChangeStatus.Approved;
            change.Decision = decision;
            change.DecidedBy = caller.ToActor(capacity);
            change.DecidedAt = time.NowTimestamp();
            repository.SaveCommittee(changes, committee, version);
            changes.Save(repository.ChangeKey(request.CommitteeId, change.ChangeId), changeVersion, change);
            repository.History(changes, request.CommitteeId, capacity, caller, "MEMBERSHIP_CHANGE_APPROVED",
                $"Phê duyệt {change.Kind} vị trí {seat.Title}", decision, request.RequestId);
            PublishChange(changes, request.CommitteeId, change, seat, previous, decision, change.DecidedBy);
            return new ApproveMembershipChangeResponse { Change = change };
        });
    }

    private void PublishChange(ChangeSet changes, string committeeId, MembershipChange change, Seat seat, Person? previous,
        Bcd.Contracts.Common.V1.Decision decision, Bcd.Contracts.Common.V1.Actor actor)
    {
        var now = time.NowTimestamp();
        Google.Protobuf.IMessage evt = change.Kind switch
        {
            ChangeKind.Appoint => new MemberAppointed
            {
                CommitteeId = committeeId, Seat = seat, Person = change.Person, EffectiveDate = change.EffectiveDate,
                Decision = decision, OccurredAt = now, Actor = actor,
            },
            ChangeKind.Replace => new MemberReplaced
            {
                CommitteeId = committeeId, Seat = seat, PreviousPerson = previous, Person = change.Person,
                EffectiveDate = change.EffectiveDate, Decision = decision, OccurredAt = now, Actor = actor,
            },
            _ => new MemberRemoved
            {
                CommitteeId = committeeId, Seat = seat, Person = previous, EffectiveDate = change.EffectiveDate,
                Decision = decision, OccurredAt = now, Actor = actor,
            },
        };
        changes.Publish(evt, committeeId);
    }

    public override async Task<RejectMembershipChangeResponse> RejectMembershipChange(RejectMembershipChangeRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var capacity = committee.RequireHeadOrDelegate(caller, DelegationScope.SignDocuments, time.GetUtcNow(), "M2");
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, RejectMembershipChangeResponse.Parser, async changes =>
        {
            var (change, changeVersion) = await LoadPendingChangeAsync(request.CommitteeId, request.ChangeId);
            change.Status = ChangeStatus.Rejected;
            change.RejectionReason = request.Reason;
            change.DecidedBy = caller.ToActor(capacity);
            change.DecidedAt = time.NowTimestamp();
            changes.Save(repository.ChangeKey(request.CommitteeId, change.ChangeId), changeVersion, change);
            repository.History(changes, request.CommitteeId, capacity, caller, "MEMBERSHIP_CHANGE_REJECTED",
                $"Không phê duyệt {change.ChangeId}: {request.Reason}", requestId: request.RequestId);
            return new RejectMembershipChangeResponse { Change = change };
        });
    }

    private async Task<(MembershipChange Change, long Version)> LoadPendingChangeAsync(string committeeId, string changeId)
    {
        var loaded = await Store.LoadRequiredAsync(repository.ChangeKey(committeeId, changeId), MembershipChange.Parser, "membership change", changeId);
        if (loaded.State.Status != ChangeStatus.Pending)
        {
            throw new RuleViolationException("M2", "CHANGE_ALREADY_DECIDED", $"The change {changeId} was already decided.",
                $"Đề xuất {changeId} đã được quyết định.");
        }

        return (loaded.State, loaded.Version);
    }

    public override async Task<ListMembershipChangesResponse> ListMembershipChanges(ListMembershipChangesRequest request, ServerCallContext context)
    {
        context.Caller();
        await repository.LoadCommitteeAsync(request.CommitteeId);
        var ids = await Store.Database.SortedSetRangeByRankAsync(repository.ChangeIndex(request.CommitteeId));
        var items = await Store.LoadManyAsync(ids.Select(id => repository.ChangeKey(request.CommitteeId, id!)), MembershipChange.Parser);
        var response = new ListMembershipChangesResponse();
        response.Changes.AddRange(items.Where(c => request.Status == ChangeStatus.Unspecified || c.Status == request.Status));
        return response;
    }

    public override async Task<GetRosterResponse> GetRoster(GetRosterRequest request, ServerCallContext context)
    {
        context.Caller();
        var date = DateOrToday(request.AsOf, "as_of");
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var agencies = await repository.LoadAgenciesAsync(request.CommitteeId);
        var response = new GetRosterResponse { AsOf = date.ToProtoDate(), StandingAgencyId = committee.State.Committee.StandingAgencyId };
        response.Entries.AddRange(committee.Roster(date, agencies));
        return response;
    }

    public override async Task<GetStandingBoardResponse> GetStandingBoard(GetStandingBoardRequest request, ServerCallContext context)
    {
        context.Caller();
        var date = DateOrToday(request.AsOf, "as_of");
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var agencies = await repository.LoadAgenciesAsync(request.CommitteeId);
        var response = new GetStandingBoardResponse { AsOf = date.ToProtoDate() };
        response.Entries.AddRange(committee.StandingBoard(date, agencies));
        return response;
    }

    public override async Task<GetSeatHistoryResponse> GetSeatHistory(GetSeatHistoryRequest request, ServerCallContext context)
    {
        context.Caller();
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        return new GetSeatHistoryResponse { Seat = committee.FindSeat(request.SeatId) };
    }

    public override async Task<GrantDelegationResponse> GrantDelegation(GrantDelegationRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var today = time.Today();
        var capacity = committee.RequireHead(caller, today, "M3");
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, GrantDelegationResponse.Parser, changes =>
        {
            var decision = request.Decision.Clone();
            decision.Signer = caller.DisplayName;
            var delegation = committee.GrantDelegation(request.DelegatePersonId, request.Scopes, request.ValidFrom, request.ValidUntil,
                decision, caller.PersonId, today);
            repository.SaveCommittee(changes, committee, version);
            repository.History(changes, request.CommitteeId, capacity, caller, "DELEGATION_GRANTED",
                $"Ủy quyền {delegation.DelegationId} cho {delegation.DelegatePersonId}: {string.Join(", ", delegation.Scopes)}",
                decision, request.RequestId);
            changes.Publish(new DelegationGranted
            {
                CommitteeId = request.CommitteeId,
                Delegation = delegation,
                OccurredAt = time.NowTimestamp(),
                Actor = caller.ToActor(capacity),
            }, request.CommitteeId);
            return Task.FromResult(new GrantDelegationResponse { Delegation = delegation });
        });
    }

    public override async Task<RevokeDelegationResponse> RevokeDelegation(RevokeDelegationRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var capacity = committee.RequireHead(caller, time.Today(), "M3");
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, RevokeDelegationResponse.Parser, changes =>
        {
            var delegation = committee.RevokeDelegation(request.DelegationId, request.Reason, time.NowTimestamp());
            repository.SaveCommittee(changes, committee, version);
            repository.History(changes, request.CommitteeId, capacity, caller, "DELEGATION_REVOKED",
                $"Thu hồi ủy quyền {delegation.DelegationId}: {request.Reason}", requestId: request.RequestId);
            changes.Publish(new DelegationRevoked
            {
                CommitteeId = request.CommitteeId,
                Delegation = delegation,
                OccurredAt = time.NowTimestamp(),
                Actor = caller.ToActor(capacity),
            }, request.CommitteeId);
            return Task.FromResult(new RevokeDelegationResponse { Delegation = delegation });
        });
    }

    public override async Task<ListDelegationsResponse> ListDelegations(ListDelegationsRequest request, ServerCallContext context)
    {
        context.Caller();
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var response = new ListDelegationsResponse();
        if (request.ActiveAt is null)
        {
            response.Delegations.AddRange(committee.State.Delegations);
            return response;
        }

        // The same test the authority checks use, so the list never shows a delegation that would be refused.
        var at = request.ActiveAt.ToDateTimeOffset();
        var active = committee.EffectiveDelegations(ProvinceTime.DateOf(at)).Where(g => g.IsActiveAt(at)).Select(g => g.DelegationId).ToHashSet();
        response.Delegations.AddRange(committee.State.Delegations.Where(d => active.Contains(d.DelegationId)));
        return response;
    }

    public override async Task<FormWorkingGroupResponse> FormWorkingGroup(FormWorkingGroupRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var capacity = committee.RequireHead(caller, time.Today(), "M5");
        var agencies = await repository.LoadAgenciesAsync(request.CommitteeId);
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, FormWorkingGroupResponse.Parser, changes =>
        {
            var group = committee.FormGroup(request, agencies);
            repository.SaveCommittee(changes, committee, version);
            repository.History(changes, request.CommitteeId, capacity, caller, "WORKING_GROUP_FORMED", $"Thành lập {group.Name}",
                request.Decision, request.RequestId);
            changes.Publish(new WorkingGroupFormed
            {
                CommitteeId = request.CommitteeId,
                Group = group,
                OccurredAt = time.NowTimestamp(),
                Actor = caller.ToActor(capacity),
            }, request.CommitteeId);
            return Task.FromResult(new FormWorkingGroupResponse { Group = group });
        });
    }

    public override async Task<ReformWorkingGroupResponse> ReformWorkingGroup(ReformWorkingGroupRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var agencies = await repository.LoadAgenciesAsync(request.CommitteeId);
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, ReformWorkingGroupResponse.Parser, changes =>
        {
            var group = committee.ReformGroup(request, caller, time.Today(), agencies);
            var capacity = new ActingCapacity(caller.PersonId, committee.HeadPersonOn(time.Today()) == caller.PersonId ? "HEAD" : "GROUP_LEADER", null);
            repository.SaveCommittee(changes, committee, version);
            repository.History(changes, request.CommitteeId, capacity, caller, "WORKING_GROUP_REFORMED",
                $"Kiện toàn {group.Name} (lần {group.Formation})", request.Decision, request.RequestId);
            changes.Publish(new WorkingGroupReformed
            {
                CommitteeId = request.CommitteeId,
                Group = group,
                OccurredAt = time.NowTimestamp(),
                Actor = caller.ToActor(capacity),
            }, request.CommitteeId);
            return Task.FromResult(new ReformWorkingGroupResponse { Group = group });
        });
    }

    public override async Task<ListWorkingGroupsResponse> ListWorkingGroups(ListWorkingGroupsRequest request, ServerCallContext context)
    {
        context.Caller();
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var response = new ListWorkingGroupsResponse();
        response.Groups.AddRange(committee.State.Groups);
        return response;
    }

    public override async Task<RecordSecondmentResponse> RecordSecondment(RecordSecondmentRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        if (!request.StartDate.IsValid() || !request.EndDate.IsValid())
        {
            throw new InvalidArgumentException(!request.StartDate.IsValid() ? "start_date" : "end_date", "Not a calendar date.", "Ngày không hợp lệ.");
        }

        var (committee, version) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var agencies = await repository.LoadAgenciesAsync(request.CommitteeId);
        return await Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, RecordSecondmentResponse.Parser, changes =>
        {
            var secondment = committee.RecordSecondment(request, caller, agencies);
            var capacity = new ActingCapacity(caller.PersonId, caller.AgencyId == committee.State.Committee.StandingAgencyId ? "STANDING_AGENCY" : "GROUP_LEADER", null);
            repository.SaveCommittee(changes, committee, version);
            repository.History(changes, request.CommitteeId, capacity, caller, "SECONDMENT_RECORDED",
                $"Trưng tập {secondment.Person.FullName} từ {secondment.StartDate.ToDateOnly():dd/MM/yyyy} đến {secondment.EndDate.ToDateOnly():dd/MM/yyyy}",
                request.Decision, request.RequestId);
            changes.Publish(new SecondmentRecorded
            {
                CommitteeId = request.CommitteeId,
                Secondment = secondment,
                OccurredAt = time.NowTimestamp(),
                Actor = caller.ToActor(capacity),
            }, request.CommitteeId);
            return Task.FromResult(new RecordSecondmentResponse { Secondment = secondment });
        });
    }

    public override async Task<ListSecondmentsResponse> ListSecondments(ListSecondmentsRequest request, ServerCallContext context)
    {
        context.Caller();
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        var on = request.ActiveOn is null ? (DateOnly?)null : DateOrToday(request.ActiveOn, "active_on");
        var response = new ListSecondmentsResponse();
        response.Secondments.AddRange(committee.State.Secondments.Where(s =>
            on is null || (s.StartDate.ToDateOnly() <= on && on < s.EndDate.ToDateOnly())));
        return response;
    }

    public override async Task<GetSigningAuthorityResponse> GetSigningAuthority(GetSigningAuthorityRequest request, ServerCallContext context)
    {
        context.Caller();
        var date = DateOrToday(request.On, "on");
        var (committee, _) = await repository.LoadCommitteeAsync(request.CommitteeId);
        return committee.SigningAuthority(request.PersonId, date, await repository.LoadAgenciesAsync(request.CommitteeId));
    }

    public override async Task<GetCommitteeHistoryResponse> GetCommitteeHistory(GetCommitteeHistoryRequest request, ServerCallContext context)
    {
        context.Caller();
        await repository.LoadCommitteeAsync(request.CommitteeId);
        var size = request.PageSize <= 0 ? 100 : request.PageSize;
        var start = Paging.Offset(request.PageToken);
        var entries = await Store.HistoryAsync(repository.CommitteeKey(request.CommitteeId), Bcd.Contracts.Common.V1.HistoryEntry.Parser, start, start + size);
        var response = new GetCommitteeHistoryResponse();
        response.Entries.AddRange(entries.Take(size));
        if (entries.Count > size)
        {
            response.NextPageToken = Paging.Token(start + size);
        }

        return response;
    }

    private DateOnly DateOrToday(Google.Type.Date? date, string field)
    {
        if (date is null)
        {
            return time.Today();
        }

        return date.IsValid() ? date.ToDateOnly() : throw new InvalidArgumentException(field, "Not a calendar date.", "Ngày không hợp lệ.");
    }

    // request_id is scoped by method and caller, so two people can never collide on one id.
}
