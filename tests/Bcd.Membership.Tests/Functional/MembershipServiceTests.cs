using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Time;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using static Bcd.Membership.Tests.Functional.MembershipHost;

namespace Bcd.Membership.Tests.Functional;

/// <summary>The membership service through a real gRPC channel (and its REST transcoding) against a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class MembershipServiceTests(RedisFixture redis)
{
    private const string FinanceDepartmentId = "so-tai-chinh";
    private const string DeputyPersonId = "tran-thi-mai";

    /// <summary>The Redis transport's stream for the topic bcd.events.v1.MemberAppointed (one stream per topic).</summary>
    private const string MemberAppointedStream = "bcd:events:bcd.events.v1.MemberAppointed";

    private static readonly DateOnly Effective = new(2026, 7, 1);

    private static readonly string DeputyToken = TestTokens.For(DeputyPersonId, CommitteeId, FinanceDepartmentId, name: "Trần Thị Mai");

    /// <summary>M2 in full: the Standing Agency registers Sở Tài chính and proposes its Director as Deputy Head; the Head approves.</summary>
    private static async Task<MembershipChange> AppointDeputyHeadAsync(MembershipHost host)
    {
        await host.RegisterAgencyAsync(FinanceDepartmentId, "Sở Tài chính tỉnh Bắc Ninh");
        var proposed = await host.ProposeNewSeatAsync(DeputyPersonId, "Trần Thị Mai", Role.DeputyHead, FinanceDepartmentId,
            "Giám đốc Sở Tài chính", Effective);
        return await host.ApproveAsync(proposed.ChangeId, HeadToken, Decision("1520/QĐ-BCĐ", new DateOnly(2026, 6, 28)));
    }

    [Fact]
    public async Task M2_StandingAgencyProposes_HeadApproves_RosterAndHistoryFollowTheDecision()
    {
        await using var host = await MembershipHost.StartAsync(redis);

        var agency = await host.RegisterAgencyAsync(FinanceDepartmentId, "Sở Tài chính tỉnh Bắc Ninh");
        var proposed = await host.ProposeNewSeatAsync(DeputyPersonId, "Trần Thị Mai", Role.DeputyHead, FinanceDepartmentId,
            "Giám đốc Sở Tài chính", Effective);
        Assert.Equal(ChangeStatus.Pending, proposed.Status);
        Assert.Equal("can-bo-ca", proposed.ProposedBy.PersonId);
        Assert.Equal(CommitteeAggregate.StandingAgencyRole, proposed.ProposedBy.ActingAs);

        var approved = await host.ApproveAsync(proposed.ChangeId, HeadToken, Decision("1520/QĐ-BCĐ", new DateOnly(2026, 6, 28)));

        Assert.Equal(ChangeStatus.Approved, approved.Status);
        Assert.Equal(BacNinhSeed.HeadPersonId, approved.DecidedBy.PersonId);
        Assert.Equal(CommitteeAggregate.HeadRole, approved.DecidedBy.ActingAs);
        Assert.Equal("Phạm Hoàng Sơn", approved.Decision.Signer);
        Assert.False(string.IsNullOrEmpty(approved.SeatId));

        // M1: the roster as of the effective date shows her; the day before it does not.
        var onEffective = await host.RosterAsync(Effective);
        var entry = Assert.Single(onEffective.Entries, e => e.SeatId == approved.SeatId);
        Assert.False(entry.Vacant);
        Assert.Equal(DeputyPersonId, entry.Holder.PersonId);
        Assert.Equal("Trần Thị Mai", entry.Holder.FullName);
        Assert.Equal(Role.DeputyHead, entry.Role);
        Assert.Equal(agency.Name, entry.AgencyName);
        Assert.Equal("1520/QĐ-BCĐ", entry.AppointedBy.Number);
        Assert.Equal(Effective.ToProtoDate(), entry.Since);
        var dayBefore = await host.RosterAsync(Effective.AddDays(-1));
        Assert.DoesNotContain(dayBefore.Entries, e => e.SeatId == approved.SeatId || e.Holder?.PersonId == DeputyPersonId);
        Assert.Contains(dayBefore.Entries, e => e.Role == Role.Head && e.Holder.PersonId == BacNinhSeed.HeadPersonId);

        // The Standing Board is derived from the roster.
        var board = await host.Client.GetStandingBoardAsync(new GetStandingBoardRequest { CommitteeId = CommitteeId, AsOf = Effective.ToProtoDate() }, As(HeadToken));
        Assert.Equal([BacNinhSeed.HeadPersonId, DeputyPersonId], board.Entries.Select(e => e.Holder.PersonId));

        // X1: the history has every step, with who acted, in which capacity, and on which decision.
        var history = await host.HistoryAsync();
        Assert.Equal(["COMMITTEE_CREATED", "AGENCY_REGISTERED", "MEMBERSHIP_CHANGE_PROPOSED", "MEMBERSHIP_CHANGE_APPROVED"],
            history.Select(h => h.Action));
        var registered = history[1];
        Assert.Equal("can-bo-ca", registered.Actor.PersonId);
        Assert.Equal(BacNinhSeed.StandingAgencyId, registered.Actor.AgencyId);
        var approval = history[3];
        Assert.Equal(BacNinhSeed.HeadPersonId, approval.Actor.PersonId);
        Assert.Equal(CommitteeAggregate.HeadRole, approval.Actor.ActingAs);
        Assert.Equal(string.Empty, approval.Actor.DelegationId);
        Assert.Equal("1520/QĐ-BCĐ", approval.Decision.Number);
        Assert.Equal(new DateOnly(2026, 6, 28).ToProtoDate(), approval.Decision.Date);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start), approval.Time);

        var changes = await host.Client.ListMembershipChangesAsync(new ListMembershipChangesRequest { CommitteeId = CommitteeId }, As(HeadToken));
        Assert.Equal(ChangeStatus.Approved, Assert.Single(changes.Changes).Status);
    }

    [Theory]
    [InlineData("can-bo-ca", BacNinhSeed.StandingAgencyId)]     // the Standing Agency proposes; it does not approve
    [InlineData("can-bo-so-khcn", BacNinhSeed.ScienceDepartmentId)]
    [InlineData(DeputyPersonId, FinanceDepartmentId)]           // a Deputy Head without a delegation
    public async Task M2_ApprovalByAnyoneButTheHeadIsPermissionDenied(string personId, string agencyId)
    {
        await using var host = await MembershipHost.StartAsync(redis);
        await AppointDeputyHeadAsync(host);
        var proposed = await host.ProposeVacantSeatAsync("seat-giam-doc-so-khcn", "do-van-khoa", "Đỗ Văn Khoa", new DateOnly(2026, 7, 10));
        var historyBefore = (await host.HistoryAsync()).Count;

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            host.ApproveAsync(proposed.ChangeId, TestTokens.For(personId, CommitteeId, agencyId), Decision("1600/QĐ-BCĐ", new DateOnly(2026, 7, 10))));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        var info = ex.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal("NOT_HOLDER_OR_DELEGATE", info.Reason);
        Assert.Equal("M2", info.Metadata["rule"]);
        Assert.Equal(historyBefore, (await host.HistoryAsync()).Count);
        var changes = await host.Client.ListMembershipChangesAsync(
            new ListMembershipChangesRequest { CommitteeId = CommitteeId, Status = ChangeStatus.Pending }, As(HeadToken));
        Assert.Equal(proposed.ChangeId, Assert.Single(changes.Changes).ChangeId);
    }

    [Fact]
    public async Task M2_ProposalOutsideTheStandingAgencyIsPermissionDenied()
    {
        await using var host = await MembershipHost.StartAsync(redis);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProposeMembershipChangeAsync(new ProposeMembershipChangeRequest
        {
            RequestId = NewRequestId(),
            CommitteeId = CommitteeId,
            Kind = ChangeKind.Appoint,
            SeatId = "seat-giam-doc-so-khcn",
            Person = new Person { PersonId = "do-van-khoa", FullName = "Đỗ Văn Khoa" },
            EffectiveDate = new DateOnly(2026, 7, 10).ToProtoDate(),
            Reason = "Tự đề xuất",
        }, As(TestTokens.For("can-bo-so-khcn", CommitteeId, BacNinhSeed.ScienceDepartmentId))));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal("STANDING_AGENCY_ONLY", ex.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task M3_DeputyHeadWithActiveSignDelegationApproves_RecordedWithDelegationId()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        await AppointDeputyHeadAsync(host);
        var granted = await host.Client.GrantDelegationAsync(new GrantDelegationRequest
        {
            RequestId = NewRequestId(),
            CommitteeId = CommitteeId,
            DelegatePersonId = DeputyPersonId,
            Scopes = { DelegationScope.SignDocuments },
            ValidFrom = Timestamp.FromDateTimeOffset(Start.AddHours(-1)),
            ValidUntil = Timestamp.FromDateTimeOffset(Start.AddDays(7)),
            Decision = Decision("1530/QĐ-BCĐ", new DateOnly(2026, 7, 14)),
        }, As(HeadToken));
        var delegationId = granted.Delegation.DelegationId;
        var proposed = await host.ProposeVacantSeatAsync("seat-giam-doc-so-khcn", "do-van-khoa", "Đỗ Văn Khoa", new DateOnly(2026, 7, 10));

        var approved = await host.ApproveAsync(proposed.ChangeId, DeputyToken, Decision("1540/QĐ-BCĐ", new DateOnly(2026, 7, 15)));

        Assert.Equal(ChangeStatus.Approved, approved.Status);
        Assert.Equal(DeputyPersonId, approved.DecidedBy.PersonId);
        Assert.Equal(delegationId, approved.DecidedBy.DelegationId);
        Assert.StartsWith(CommitteeAggregate.HeadRole, approved.DecidedBy.ActingAs, StringComparison.Ordinal);
        var last = (await host.HistoryAsync())[^1];
        Assert.Equal("MEMBERSHIP_CHANGE_APPROVED", last.Action);
        Assert.Equal(DeputyPersonId, last.Actor.PersonId);
        Assert.Equal(delegationId, last.Actor.DelegationId);
        Assert.Equal("1540/QĐ-BCĐ", last.Decision.Number);
        var roster = await host.RosterAsync(new DateOnly(2026, 7, 10));
        Assert.Equal("do-van-khoa", roster.Entries.Single(e => e.SeatId == "seat-giam-doc-so-khcn").Holder.PersonId);
    }

    [Fact]
    public async Task M3_DelegateIsRefusedOutsideTheWindowAndAfterRevocation()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        await AppointDeputyHeadAsync(host);
        var delegation = (await host.Client.GrantDelegationAsync(new GrantDelegationRequest
        {
            RequestId = NewRequestId(),
            CommitteeId = CommitteeId,
            DelegatePersonId = DeputyPersonId,
            Scopes = { DelegationScope.SignDocuments },
            ValidFrom = Timestamp.FromDateTimeOffset(Start.AddHours(1)),
            ValidUntil = Timestamp.FromDateTimeOffset(Start.AddDays(2)),
            Decision = Decision("1530/QĐ-BCĐ", new DateOnly(2026, 7, 14)),
        }, As(HeadToken))).Delegation;
        var first = await host.ProposeVacantSeatAsync("seat-giam-doc-so-khcn", "do-van-khoa", "Đỗ Văn Khoa", new DateOnly(2026, 7, 10));
        var decision = Decision("1540/QĐ-BCĐ", new DateOnly(2026, 7, 15));

        // Not yet valid.
        var early = await Assert.ThrowsAsync<RpcException>(() => host.ApproveAsync(first.ChangeId, DeputyToken, decision));
        Assert.Equal(StatusCode.PermissionDenied, early.StatusCode);

        // Valid: the same request succeeds once the window opens.
        host.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(delegation.DelegationId, (await host.ApproveAsync(first.ChangeId, DeputyToken, decision)).DecidedBy.DelegationId);

        // Revoked by the Head: no longer.
        await host.Client.RevokeDelegationAsync(new RevokeDelegationRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, DelegationId = delegation.DelegationId, Reason = "Trưởng Ban trực tiếp xử lý",
        }, As(HeadToken));
        var second = await host.ProposeVacantSeatAsync("seat-giam-doc-so-noi-vu", "ngo-thi-g", "Ngô Thị G", new DateOnly(2026, 7, 10));
        var revoked = await Assert.ThrowsAsync<RpcException>(() => host.ApproveAsync(second.ChangeId, DeputyToken, decision));
        Assert.Equal(StatusCode.PermissionDenied, revoked.StatusCode);
        var active = await host.Client.ListDelegationsAsync(new ListDelegationsRequest
        {
            CommitteeId = CommitteeId, ActiveAt = Timestamp.FromDateTimeOffset(host.Time.GetUtcNow()),
        }, As(HeadToken));
        Assert.Empty(active.Delegations);
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        { "approve without a decision", "decision" },
        { "decision without a number", "decision.number" },
        { "agency_id not a slug", "agency_id" },
        { "proposal without a kind", "kind" },
        { "request_id too short", "request_id" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInputIsInvalidArgumentNamingTheField(string bad, string field)
    {
        await using var host = await MembershipHost.StartAsync(redis);
        await host.RegisterAgencyAsync(FinanceDepartmentId, "Sở Tài chính tỉnh Bắc Ninh");
        var proposed = await host.ProposeNewSeatAsync(DeputyPersonId, "Trần Thị Mai", Role.DeputyHead, FinanceDepartmentId, "Giám đốc Sở Tài chính", Effective);
        var historyBefore = (await host.HistoryAsync()).Count;
        var approve = new ApproveMembershipChangeRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, ChangeId = proposed.ChangeId,
            Decision = Decision("1520/QĐ-BCĐ", new DateOnly(2026, 6, 28)),
        };
        var register = new RegisterAgencyRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, AgencyId = "so-xay-dung", Name = "Sở Xây dựng", Kind = AgencyKind.Department,
        };
        var propose = new ProposeMembershipChangeRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, Kind = ChangeKind.Appoint, SeatId = "seat-giam-doc-so-khcn",
            Person = new Person { PersonId = "do-van-khoa", FullName = "Đỗ Văn Khoa" }, EffectiveDate = Effective.ToProtoDate(), Reason = "Bổ sung",
        };

        Func<Task> call = bad switch
        {
            "approve without a decision" => async () => { approve.Decision = null; await host.Client.ApproveMembershipChangeAsync(approve, As(HeadToken)); },
            "decision without a number" => async () => { approve.Decision.Number = ""; await host.Client.ApproveMembershipChangeAsync(approve, As(HeadToken)); },
            "agency_id not a slug" => async () => { register.AgencyId = "Sở_XD"; await host.Client.RegisterAgencyAsync(register, As(StandingAgencyToken)); },
            "proposal without a kind" => async () => { propose.Kind = ChangeKind.Unspecified; await host.Client.ProposeMembershipChangeAsync(propose, As(StandingAgencyToken)); },
            "request_id too short" => async () => { register.RequestId = "r1"; await host.Client.RegisterAgencyAsync(register, As(StandingAgencyToken)); },
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };

        var ex = await Assert.ThrowsAsync<RpcException>(call);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetRpcStatus()!.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        var violation = Assert.Single(badRequest.FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.Equal("vi-VN", violation.LocalizedMessage.Locale);
        Assert.NotEmpty(violation.LocalizedMessage.Message);
        // Bad input never reaches storage.
        Assert.Equal(historyBefore, (await host.HistoryAsync()).Count);
        var pending = await host.Client.ListMembershipChangesAsync(new ListMembershipChangesRequest { CommitteeId = CommitteeId, Status = ChangeStatus.Pending }, As(HeadToken));
        Assert.Single(pending.Changes);
    }

    [Fact]
    public async Task RuleRefusalIsFailedPreconditionWithReasonAndVietnameseMessage()
    {
        await using var host = await MembershipHost.StartAsync(redis);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            host.ProposeNewSeatAsync("nguyen-van-a", "Nguyễn Văn A", Role.Head, "ubnd-tinh", "Trưởng Ban thứ hai", Effective));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        var status = ex.GetRpcStatus()!;
        var info = status.GetDetail<ErrorInfo>();
        Assert.Equal("ONE_HEAD", info.Reason);
        Assert.Equal("bcd.gov.vn", info.Domain);
        Assert.Equal("M1", info.Metadata["rule"]);
        var localized = status.GetDetail<LocalizedMessage>();
        Assert.Equal("vi-VN", localized.Locale);
        Assert.Contains("Trưởng Ban", localized.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedRequestIdReturnsTheSameResponseAndWritesOnce()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        var registerId = NewRequestId();
        var first = await host.RegisterAgencyAsync(FinanceDepartmentId, "Sở Tài chính tỉnh Bắc Ninh", registerId);
        var again = await host.RegisterAgencyAsync(FinanceDepartmentId, "Sở Tài chính tỉnh Bắc Ninh", registerId);
        Assert.Equal(first, again);

        var proposed = await host.ProposeNewSeatAsync(DeputyPersonId, "Trần Thị Mai", Role.DeputyHead, FinanceDepartmentId, "Giám đốc Sở Tài chính", Effective);
        var approveId = NewRequestId();
        var decision = Decision("1520/QĐ-BCĐ", new DateOnly(2026, 6, 28));
        var approved = await host.ApproveAsync(proposed.ChangeId, HeadToken, decision, approveId);
        var historyAfterFirst = await host.HistoryAsync();

        host.Time.Advance(TimeSpan.FromMinutes(5)); // a retry later still gets the first answer
        var retried = await host.ApproveAsync(proposed.ChangeId, HeadToken, decision, approveId);

        Assert.Equal(approved, retried);
        Assert.Equal(historyAfterFirst.Count, (await host.HistoryAsync()).Count);
        Assert.Single(historyAfterFirst, h => h.Action == "AGENCY_REGISTERED");
        Assert.Single(historyAfterFirst, h => h.Action == "MEMBERSHIP_CHANGE_APPROVED" && h.RequestId == approveId);
        // Once the relay has drained the outbox, the transport holds the appointment exactly once.
        await WaitForOutboxDrainedAsync(host);
        Assert.Single(await MemberAppointedEventsAsync(host, DeputyPersonId));
        var seat = await host.Client.GetSeatHistoryAsync(new GetSeatHistoryRequest { CommitteeId = CommitteeId, SeatId = approved.SeatId }, As(HeadToken));
        Assert.Single(seat.Seat.Tenures);

        // A new request_id for the same change is a second decision, which the rule refuses.
        var second = await Assert.ThrowsAsync<RpcException>(() => host.ApproveAsync(proposed.ChangeId, HeadToken, decision));
        Assert.Equal(StatusCode.FailedPrecondition, second.StatusCode);
        Assert.Equal("CHANGE_ALREADY_DECIDED", second.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task NoTokenOrAForeignTokenIsUnauthenticated()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        var request = new GetRosterRequest { CommitteeId = CommitteeId };

        var none = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetRosterAsync(request));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);

        var foreign = Bcd.ServiceDefaults.Identity.TokenFactory.Create(
            new Bcd.ServiceDefaults.Identity.IdentityOptions
            {
                Issuer = TestTokens.Issuer, Audience = TestTokens.Audience, SigningKey = Convert.ToBase64String(new byte[32]),
            },
            BacNinhSeed.HeadPersonId, "Phạm Hoàng Sơn", CommitteeId, "ubnd-tinh", "Bắc Ninh", [], TimeSpan.FromHours(1));
        var forged = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetRosterAsync(request, As(foreign)));
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);

        var ok = await host.Client.GetRosterAsync(request, As(HeadToken));
        Assert.NotEmpty(ok.Entries);
    }

    [Fact]
    public async Task SeededBacNinhRosterThroughRestShowsTheHead()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        using var client = host.App.CreateHttpClient(StandingAgencyToken);

        using var response = await client.GetAsync(new Uri(host.App.HttpAddress, $"/api/v1/committees/{CommitteeId}/roster"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(BacNinhSeed.StandingAgencyId, root.GetProperty("standingAgencyId").GetString());
        var entries = root.GetProperty("entries").EnumerateArray().ToList();
        var head = Assert.Single(entries, e => e.GetProperty("role").GetString() == "ROLE_HEAD");
        Assert.Equal("seat-head", head.GetProperty("seatId").GetString());
        Assert.Equal(BacNinhSeed.HeadPersonId, head.GetProperty("holder").GetProperty("personId").GetString());
        Assert.Equal("Phạm Hoàng Sơn", head.GetProperty("holder").GetProperty("fullName").GetString());
        Assert.Equal("1455/QĐ-UBND", head.GetProperty("appointedBy").GetProperty("number").GetString());
        Assert.Equal("Ủy ban nhân dân tỉnh Bắc Ninh", head.GetProperty("agencyName").GetString());
        var vacant = entries.Where(e => e.TryGetProperty("vacant", out var v) && v.GetBoolean()).Select(e => e.GetProperty("seatId").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["seat-giam-doc-cong-an-tinh", "seat-giam-doc-so-khcn", "seat-giam-doc-so-noi-vu"], vacant);

        using var anonymous = host.App.CreateHttpClient();
        using var refused = await anonymous.GetAsync(new Uri(host.App.HttpAddress, $"/api/v1/committees/{CommitteeId}/roster"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task SeededGroupsAndAgenciesAreListed()
    {
        await using var host = await MembershipHost.StartAsync(redis);

        var groups = await host.Client.ListWorkingGroupsAsync(new ListWorkingGroupsRequest { CommitteeId = CommitteeId }, As(HeadToken));
        var agencies = await host.Client.ListAgenciesAsync(new ListAgenciesRequest { CommitteeId = CommitteeId }, As(HeadToken));

        Assert.Equal(["wg-sti-dx", "wg-p06", "wg-par", "tgv"], groups.Groups.Select(g => g.GroupId));
        Assert.Equal(
            [(string)"wg-sti-dx", "so-khcn", "wg-p06", "cong-an-tinh", "wg-par", "so-noi-vu"],
            groups.Groups.Where(g => g.Kind == GroupKind.WorkingGroup).SelectMany(g => new[] { g.GroupId, g.LeadAgencyId }));
        Assert.Equal(["cong-an-tinh", "so-khcn", "so-noi-vu", "ubnd-tinh"], agencies.Agencies.Select(a => a.AgencyId));
    }

    [Fact]
    public async Task M4_SigningAuthorityOverGrpc()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        await AppointDeputyHeadAsync(host);

        var head = await host.Client.GetSigningAuthorityAsync(
            new GetSigningAuthorityRequest { CommitteeId = CommitteeId, PersonId = BacNinhSeed.HeadPersonId }, As(StandingAgencyToken));
        var deputy = await host.Client.GetSigningAuthorityAsync(
            new GetSigningAuthorityRequest { CommitteeId = CommitteeId, PersonId = DeputyPersonId }, As(StandingAgencyToken));

        Assert.Equal(SealKind.ProvincialPeoplesCommittee, head.Seal);
        Assert.Equal("Ủy ban nhân dân tỉnh Bắc Ninh", head.IssuingAgencyName);
        Assert.Equal(SealKind.OwnAgency, deputy.Seal);
        Assert.Equal(FinanceDepartmentId, deputy.IssuingAgencyId);
        Assert.Equal("Sở Tài chính tỉnh Bắc Ninh", deputy.IssuingAgencyName);
    }

    [Fact]
    public async Task ApprovedAppointmentIsPublishedAsACloudEventOnTheRedisTransport()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        var approved = await AppointDeputyHeadAsync(host);

        JsonElement? found = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (found is null && DateTime.UtcNow < deadline)
        {
            found = (await MemberAppointedEventsAsync(host, DeputyPersonId)).FirstOrDefault() is { ValueKind: JsonValueKind.Object } e0 ? e0 : null;
            if (found is null)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(found.HasValue, $"No MemberAppointed event for {DeputyPersonId} reached {MemberAppointedStream} within 10 s.");
        var e = found.Value;
        Assert.Equal("1.0", e.GetProperty("specversion").GetString());
        Assert.Equal("bcd.events.v1.MemberAppointed", e.GetProperty("type").GetString());
        Assert.Equal("/bcd/membership", e.GetProperty("source").GetString());
        Assert.Equal("application/json", e.GetProperty("datacontenttype").GetString());
        Assert.Equal(CommitteeId, e.GetProperty("subject").GetString());
        Assert.False(string.IsNullOrEmpty(e.GetProperty("id").GetString()));
        var data = e.GetProperty("data");
        Assert.Equal(CommitteeId, data.GetProperty("committeeId").GetString());
        Assert.Equal(approved.SeatId, data.GetProperty("seat").GetProperty("seatId").GetString());
        Assert.Equal("1520/QĐ-BCĐ", data.GetProperty("decision").GetProperty("number").GetString());
        Assert.Equal(BacNinhSeed.HeadPersonId, data.GetProperty("actor").GetProperty("personId").GetString());
    }

    [Fact]
    public async Task TheProvinceChairmanFoundsACommittee_OthersCannot()
    {
        await using var host = await MembershipHost.StartAsync(redis, seed: false);
        CreateCommitteeRequest Request() => new()
        {
            RequestId = NewRequestId(),
            CommitteeId = "lang-son",
            Province = "Lạng Sơn",
            Name = "Ban Chỉ đạo về phát triển khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số và Đề án 06 tỉnh Lạng Sơn",
            FoundingDecision = Decision("900/QĐ-UBND", new DateOnly(2026, 7, 1)),
            ProvincialGovernmentName = "Ủy ban nhân dân tỉnh Lạng Sơn",
            StandingAgencyId = "cong-an-tinh",
            StandingAgencyName = "Công an tỉnh Lạng Sơn",
            HeadSeatTitle = "Chủ tịch UBND tỉnh",
            HeadFullName = "Chủ tịch Lạng Sơn",
        };

        var otherProvince = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.CreateCommitteeAsync(Request(),
            As(TestTokens.For("chu-tich-bn", province: "Bắc Ninh", roles: "province-chairman"))));
        Assert.Equal(StatusCode.PermissionDenied, otherProvince.StatusCode);
        var noRole = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.CreateCommitteeAsync(Request(),
            As(TestTokens.For("can-bo-ls", province: "Lạng Sơn"))));
        Assert.Equal(StatusCode.PermissionDenied, noRole.StatusCode);

        var chairman = TestTokens.For("chu-tich-ls", province: "Lạng Sơn", name: "Chủ tịch Lạng Sơn", roles: "province-chairman");
        var created = await host.Client.CreateCommitteeAsync(Request(), As(chairman));

        Assert.Equal("lang-son", created.Committee.CommitteeId);
        var roster = await host.Client.GetRosterAsync(new GetRosterRequest { CommitteeId = "lang-son" }, As(chairman));
        var head = Assert.Single(roster.Entries);
        Assert.Equal(Role.Head, head.Role);
        Assert.Equal("chu-tich-ls", head.Holder.PersonId);
        var duplicate = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.CreateCommitteeAsync(Request(), As(chairman)));
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);

        // One committee per province (Điều 1): another id for the same province is refused by rule.
        var second = Request();
        second.CommitteeId = "lang-son-2";
        var sameProvince = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.CreateCommitteeAsync(second, As(chairman)));
        Assert.Equal(StatusCode.FailedPrecondition, sameProvince.StatusCode);
        Assert.Equal("ONE_COMMITTEE_PER_PROVINCE", sameProvince.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetCommitteeAsync(
            new GetCommitteeRequest { CommitteeId = "lang-son-2" }, As(chairman)));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task RacingRegistrationsOfOneAgencyIdOneSucceedsTheOthersAreAlreadyExists()
    {
        await using var host = await MembershipHost.StartAsync(redis);
        var attempts = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                await host.RegisterAgencyAsync("so-xay-dung", "Sở Xây dựng tỉnh Bắc Ninh");
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        })).ToList();

        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(1, outcomes.Count(c => c == StatusCode.OK));
        Assert.All(outcomes.Where(c => c != StatusCode.OK), c => Assert.Equal(StatusCode.AlreadyExists, c));
        var history = await host.HistoryAsync();
        Assert.Single(history, h => h.Action == "AGENCY_REGISTERED");
    }

    /// <summary>The CloudEvents on the MemberAppointed stream of the Redis transport that appoint <paramref name="personId"/>.</summary>
    private static async Task<List<JsonElement>> MemberAppointedEventsAsync(MembershipHost host, string personId)
    {
        var entries = await host.Redis.Connection.GetDatabase().StreamRangeAsync(MemberAppointedStream);
        return entries
            .Select(entry => JsonDocument.Parse((string)entry["cloudevent"]!).RootElement.Clone())
            .Where(e => e.GetProperty("data").GetProperty("person").GetProperty("personId").GetString() == personId)
            .ToList();
    }

    /// <summary>Waits until the outbox relay's cursor has reached the last entry written to the outbox.</summary>
    private static async Task WaitForOutboxDrainedAsync(MembershipHost host)
    {
        var db = host.Redis.Connection.GetDatabase();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var last = await db.StreamRangeAsync("membership:outbox", "-", "+", count: 1, messageOrder: StackExchange.Redis.Order.Descending);
            var cursor = await db.StringGetAsync("membership:outbox:cursor");
            if (last.Length == 0 || last[0].Id == cursor)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The outbox relay did not drain the outbox within 10 s.");
            await Task.Delay(50);
        }
    }
}
