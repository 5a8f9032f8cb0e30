using System.Text.Json;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using Bcd.Testing;
using static Bcd.Projections.Membership.Tests.MembershipHistory;

namespace Bcd.Projections.Membership.Tests;

/// <summary>
/// The membership projection (issue 4 item 2) against a real Redis, fed through the real dispatcher
/// and inbox exactly as both transports deliver.
/// </summary>
public sealed class MembershipProjectionTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private ProjectionHost _host = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.FlushAsync();
        _host = ProjectionHost.Create(redis.Server);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task MembershipEventReceivedTwiceChangesTheProjectionOnce()
    {
        await _host.DeliverAsync(new("evt-committee", Committee(), Seq(1)));
        // Without sequences the order check cannot help: only the inbox keeps the redelivered
        // appointment from overwriting the replacement that came after it.
        var appointed = new Delivery("evt-appointed", Appointed(KhcnSeat(Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded))), "");
        var replaced = new Delivery("evt-replaced", Replaced(KhcnSeat(
            Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded, ReplacedOn), Tenure(NewMemberKhcn, "Tân Giám đốc", ReplacedOn))), "");
        Assert.Equal(DispatchOutcome.Handled, await _host.DeliverAsync(appointed));
        Assert.Equal(DispatchOutcome.Handled, await _host.DeliverAsync(replaced));
        var before = Canonical(await _host.CommitteeAsync());

        Assert.Equal(DispatchOutcome.AlreadyHandled, await _host.DeliverAsync(appointed));

        var seat = Assert.Single((await _host.CommitteeAsync())!.Seats);
        Assert.Equal([MemberKhcn, NewMemberKhcn], seat.Tenures.Select(t => t.PersonId));
        Assert.Equal(NewMemberKhcn, seat.HolderOn(ReplacedOn)?.PersonId);
        Assert.Equal(before, Canonical(await _host.CommitteeAsync()));

        // Two copies racing each other: both may pass the inbox look-up, only one commits.
        var granted = new Delivery("evt-granted", new DelegationGranted { CommitteeId = CommitteeId, Delegation = Delegation() }, Seq(9));
        var outcomes = await Task.WhenAll(_host.DeliverAsync(granted), _host.DeliverAsync(granted));
        Assert.Equal([DispatchOutcome.Handled, DispatchOutcome.AlreadyHandled], outcomes.Order());
        Assert.Single((await _host.CommitteeAsync())!.Delegations);
    }

    [Theory]
    [InlineData("padded stream ids", "00000000001780000000-00000000000000000003", "00000000001780000000-00000000000000000002")]
    [InlineData("unpadded, more digits in the index", "1780000000000-10", "1780000000000-9")]
    [InlineData("unpadded, later millisecond", "1780000000001-0", "1780000000000-99")]
    public async Task OlderSeatSnapshotArrivingAfterANewerOneIsIgnored(string form, string newer, string older)
    {
        Assert.NotEmpty(form);
        await _host.DeliverAsync(new("evt-committee", Committee(), "1"));
        await _host.DeliverAsync(new("evt-replaced", Replaced(KhcnSeat(
            Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded, ReplacedOn), Tenure(NewMemberKhcn, "Tân Giám đốc", ReplacedOn))), newer));

        // The appointment was published first but its delivery failed and was retried after the replacement.
        var outcome = await _host.DeliverAsync(new("evt-appointed", Appointed(KhcnSeat(Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded))), older));

        Assert.Equal(DispatchOutcome.Handled, outcome);
        var seat = Assert.Single((await _host.CommitteeAsync())!.Seats);
        Assert.Equal([MemberKhcn, NewMemberKhcn], seat.Tenures.Select(t => t.PersonId));
        Assert.Equal(NewMemberKhcn, seat.HolderOn(ReplacedOn.AddDays(30))?.PersonId);
    }

    [Fact]
    public async Task EventWithoutSequenceIsAppliedAndKeepsTheEntitysLastSequence()
    {
        await _host.DeliverAsync(new("evt-committee", Committee(), Seq(1)));
        await _host.DeliverAsync(new("evt-appointed", Appointed(KhcnSeat(Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded))), Seq(5)));

        // A publisher that sets no sequence cannot be ordered: its snapshot is taken as it comes.
        await _host.DeliverAsync(new("evt-unordered", Replaced(KhcnSeat(
            Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded, ReplacedOn), Tenure(NewMemberKhcn, "Tân Giám đốc", ReplacedOn))), ""));
        Assert.Equal(2, Assert.Single((await _host.CommitteeAsync())!.Seats).Tenures.Count);

        // ...and leaves the last known position in place, so an event older than that is still refused.
        await _host.DeliverAsync(new("evt-stale", Appointed(KhcnSeat(Tenure("someone-else", "Người khác", Founded))), Seq(3)));
        Assert.Equal([MemberKhcn, NewMemberKhcn], Assert.Single((await _host.CommitteeAsync())!.Seats).Tenures.Select(t => t.PersonId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DelegationGrantedThenRevokedShowsRevokedAt(bool revocationDeliveredFirst)
    {
        await _host.DeliverAsync(new("evt-committee", Committee(), Seq(1)));
        var granted = new Delivery("evt-granted", new DelegationGranted { CommitteeId = CommitteeId, Delegation = Delegation() }, Seq(2));
        var revoked = new Delivery("evt-revoked", new DelegationRevoked { CommitteeId = CommitteeId, Delegation = Delegation(RevokedAt) }, Seq(3));
        await _host.DeliverAllAsync(revocationDeliveredFirst ? [revoked, granted] : [granted, revoked]);

        var delegation = Assert.Single((await _host.CommitteeAsync())!.Delegations);
        Assert.Equal(RevokedAt, delegation.RevokedAt);
        Assert.Equal(Deputy, delegation.DelegatePersonId);
        Assert.Equal([DelegationScope.ConveneMeetings, DelegationScope.ChairMeetings], delegation.Scopes);
        Assert.True(delegation.IsActiveAt(RevokedAt.AddMinutes(-1)));
        Assert.False(delegation.IsActiveAt(RevokedAt));
    }

    [Fact]
    public async Task WorkingGroupFormedThenReformedShowsTheReformedMembers()
    {
        await _host.DeliverAllAsync(
        [
            new("evt-committee", Committee(), Seq(1)),
            new("evt-formed", new WorkingGroupFormed
            {
                CommitteeId = CommitteeId,
                Group = Group(1, (MemberKhcn, "Giám đốc Sở KH&CN", "so-khcn", GroupRole.Leader), (MemberNoiVu, "Giám đốc Sở Nội vụ", "so-noi-vu", GroupRole.Member)),
            }, Seq(2)),
            new("evt-reformed", new WorkingGroupReformed
            {
                CommitteeId = CommitteeId,
                Group = Group(2, (NewMemberKhcn, "Tân Giám đốc", "so-khcn", GroupRole.Leader), (MemberNoiVu, "Giám đốc Sở Nội vụ", "so-noi-vu", GroupRole.DeputyLeader)),
            }, Seq(3)),
        ]);

        var group = Assert.Single((await _host.CommitteeAsync())!.Groups);
        Assert.Equal(
            [new GroupMemberView(NewMemberKhcn, "Tân Giám đốc", "so-khcn", GroupRole.Leader), new GroupMemberView(MemberNoiVu, "Giám đốc Sở Nội vụ", "so-noi-vu", GroupRole.DeputyLeader)],
            group.Members);
        Assert.Equal("so-khcn", group.LeadAgencyId);
    }

    [Fact]
    public async Task ReplayingTheHistoryFromScratchGivesAnEqualView()
    {
        var history = Full();
        await _host.DeliverAllAsync(history);
        var built = await _host.CommitteeAsync();
        Assert.NotNull(built);
        Assert.Equal(4, built.Agencies.Count);
        Assert.Equal(4, built.Seats.Count);
        Assert.NotNull(Assert.Single(built.Delegations).RevokedAt);
        Assert.Single(Assert.Single(built.Groups).Members);

        // Everything projected lives in the subscribing service's own key space.
        Assert.NotEmpty(Keys($"{ProjectionHost.Service}:membership:*"));
        Assert.Empty(Keys("membership:*"));

        // Another subscription's inbox mark in the same key space is not the projection's to clear.
        var db = redis.Server.Connection.GetDatabase();
        await db.StringSetAsync($"{ProjectionHost.Service}:inbox:evt-of-another-subscription", "1");

        await _host.Projection.DropAsync(CommitteeId);
        Assert.Null(await _host.CommitteeAsync());
        Assert.Empty(Keys($"{ProjectionHost.Service}:membership:*"));
        Assert.Equal([$"{ProjectionHost.Service}:inbox:evt-of-another-subscription"], Keys($"{ProjectionHost.Service}:inbox:*"));

        // The same deliveries again (same ids, as a stream read from the start would bring them).
        await _host.DeliverAllAsync(history);
        Assert.Equal(Canonical(built), Canonical(await _host.CommitteeAsync()));

        // Snapshots plus sequences make the order of arrival irrelevant.
        await _host.Projection.DropAllAsync();
        await _host.DeliverAllAsync(history.Reverse());
        Assert.Equal(Canonical(built), Canonical(await _host.CommitteeAsync()));
    }

    [Fact]
    public async Task PersonReplacedEffectiveDayDHoldsTheSeatUntilTheDayBefore()
    {
        await _host.DeliverAllAsync(Full());
        var committee = (await _host.CommitteeAsync())!;

        var seat = committee.Seats.Single(s => s.SeatId == "seat-giam-doc-so-khcn");
        var previous = seat.Tenures[0];
        Assert.Equal(ReplacedOn.AddDays(-1), previous.Until);
        Assert.Equal(MemberKhcn, seat.HolderOn(ReplacedOn.AddDays(-1))?.PersonId);
        Assert.Equal(NewMemberKhcn, seat.HolderOn(ReplacedOn)?.PersonId);
        Assert.False(previous.CoversDay(ReplacedOn));
        Assert.Null(committee.SeatOf(MemberKhcn, ReplacedOn));
        Assert.Equal(seat, committee.SeatOf(MemberKhcn, ReplacedOn.AddDays(-1)));

        // A removed seat: held until the day before its removal, gone from the removal day.
        var removed = committee.Seats.Single(s => s.SeatId == "seat-giam-doc-so-noi-vu");
        Assert.Equal(MemberNoiVu, removed.HolderOn(RemovedOn.AddDays(-1))?.PersonId);
        Assert.False(removed.ExistsOn(RemovedOn));
        Assert.Null(removed.HolderOn(RemovedOn));

        // Day by day around both boundaries, the view agrees with membership's TenureOn
        // (From <= day && (Until is null || Until > day), on the snapshot membership published).
        var published = Full().Select(d => d.Event).OfType<MemberReplaced>().Single().Seat;
        for (var day = ReplacedOn.AddDays(-3); day <= ReplacedOn.AddDays(3); day = day.AddDays(1))
        {
            for (var i = 0; i < published.Tenures.Count; i++)
            {
                var t = published.Tenures[i];
                var membershipSays = t.From.ToDateOnly() <= day && (t.Until is null || t.Until.ToDateOnly() > day);
                Assert.True(membershipSays == seat.Tenures[i].CoversDay(day), $"tenure {i} on {day:yyyy-MM-dd}: membership says {membershipSays}");
            }
        }
    }

    [Fact]
    public async Task EventsBeforeCommitteeCreatedAreKeptUntilItArrives()
    {
        Assert.Null(await _host.View.GetCommitteeAsync("ha-noi"));

        await _host.DeliverAsync(new("evt-agency", Agency("so-khcn", "Sở Khoa học và Công nghệ"), Seq(2)));
        await _host.DeliverAsync(new("evt-appointed", Appointed(KhcnSeat(Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded))), Seq(3)));
        Assert.Null(await _host.CommitteeAsync());

        await _host.DeliverAsync(new("evt-committee", Committee(), Seq(1)));

        var committee = (await _host.CommitteeAsync())!;
        Assert.Equal("Ban Chỉ đạo tỉnh Bắc Ninh", committee.Name);
        Assert.Equal(StandingAgencyId, committee.StandingAgencyId);
        Assert.Equal("Sở Khoa học và Công nghệ", committee.Agencies["so-khcn"].Name);
        Assert.Equal(MemberKhcn, Assert.Single(committee.Seats).HolderOn(Founded)?.PersonId);
        Assert.Null(await _host.View.GetCommitteeAsync("ha-noi"));
    }

    [Fact]
    public async Task SeatEventWithoutItsSeatIsMalformedAndChangesNothing()
    {
        await _host.DeliverAsync(new("evt-committee", Committee(), Seq(1)));

        await Assert.ThrowsAsync<MalformedEventException>(() =>
            _host.DeliverAsync(new("evt-no-seat", new MemberAppointed { CommitteeId = CommitteeId }, Seq(2))));

        Assert.Empty((await _host.CommitteeAsync())!.Seats);
        Assert.Empty(Keys($"{ProjectionHost.Service}:inbox:evt-no-seat"));
    }

    [Fact]
    public void EveryMembershipEventIsSubscribedWithItsOwnHandler()
    {
        var events = MembershipEventsReflection.Descriptor.MessageTypes.Select(m => m.FullName).Order().ToList();
        var catalog = _host.Catalog;
        Assert.Equal(events, catalog.Subscriptions.Select(s => s.Topic).Order());
        foreach (var subscription in catalog.Subscriptions)
        {
            var handles = typeof(IIntegrationEventHandler<>).MakeGenericType(subscription.Descriptor.ClrType);
            Assert.True(handles.IsAssignableFrom(subscription.HandlerType), $"{subscription.HandlerType.Name} handles {subscription.Topic}");
            Assert.Equal(typeof(MembershipProjection).Assembly, subscription.HandlerType.Assembly);
        }
    }

    private IEnumerable<string> Keys(string pattern)
    {
        var server = redis.Server.Connection.GetServer(redis.Server.Connection.GetEndPoints()[0]);
        return server.Keys(pattern: pattern).Select(k => k.ToString()).ToList();
    }

    /// <summary>The view as text, agencies sorted (a dictionary's order is not part of the view).</summary>
    private static string Canonical(CommitteeView? view) => view is null
        ? "null"
        : JsonSerializer.Serialize(new
        {
            view.CommitteeId,
            view.Name,
            view.StandingAgencyId,
            Agencies = view.Agencies.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Value),
            view.Seats,
            view.Delegations,
            view.Groups,
        });
}
