using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using static Bcd.Membership.Tests.Domain.Committee;

namespace Bcd.Membership.Tests.Domain;

/// <summary>M5: working groups are formed and re-formed (kiện toàn) and second staff for a limited period (Điều 13.5).</summary>
public sealed class M5GroupTests
{
    private const string Leader = "le-van-c";
    private const string GroupMember = "pham-thi-d";

    private static GroupMember Member(string personId, string agencyId, GroupRole role) => new()
    {
        Person = new Person { PersonId = personId, FullName = personId },
        AgencyId = agencyId,
        Role = role,
    };

    /// <summary>The Head re-forms WG-STI-DX with a leader and a member (formation 2).</summary>
    private static Committee WithStaffedGroup()
    {
        var committee = new Committee();
        var request = new ReformWorkingGroupRequest
        {
            GroupId = "wg-sti-dx",
            Decision = Decision("300/QĐ-BCĐ", D(2026, 7, 1)),
            Members =
            {
                Member(Leader, BacNinhSeed.ScienceDepartmentId, GroupRole.Leader),
                Member(GroupMember, BacNinhSeed.ScienceDepartmentId, GroupRole.Member),
            },
        };
        committee.Aggregate.ReformGroup(request, Head, committee.Today, committee.Agencies);
        return committee;
    }

    [Theory]
    [InlineData("wg-sti-dx", BacNinhSeed.HeadPersonId, true)]
    [InlineData("wg-sti-dx", Leader, true)]
    [InlineData("wg-sti-dx", GroupMember, false)]   // a member of the group, not its leader
    [InlineData("wg-sti-dx", "can-bo-ca", false)]   // the committee's Standing Agency
    [InlineData("wg-par", Leader, false)]           // the leader of another group
    [InlineData("wg-par", BacNinhSeed.HeadPersonId, true)]
    public void M5_GroupReformByHeadOrGroupLeaderOnly(string groupId, string personId, bool allowed)
    {
        var committee = WithStaffedGroup();
        var group = committee.Aggregate.FindGroup(groupId);
        var formationBefore = group.Formation;
        var request = new ReformWorkingGroupRequest
        {
            GroupId = groupId,
            Decision = Decision("301/QĐ-BCĐ", D(2026, 7, 15)),
            Members = { Member("hoang-van-e", BacNinhSeed.HomeAffairsDepartmentId, GroupRole.Leader) },
        };

        if (allowed)
        {
            var reformed = committee.Aggregate.ReformGroup(request, Person(personId), committee.Today, committee.Agencies);
            Assert.Equal(formationBefore + 1, reformed.Formation);
            Assert.Equal("301/QĐ-BCĐ", reformed.LastReformedBy.Number);
            Assert.Equal(["hoang-van-e"], reformed.Members.Select(m => m.Person.PersonId));
        }
        else
        {
            var ex = Assert.Throws<PermissionDeniedException>(() =>
                committee.Aggregate.ReformGroup(request, Person(personId), committee.Today, committee.Agencies));
            Assert.Equal("HEAD_OR_GROUP_LEADER_ONLY", ex.Reason);
            Assert.Equal(formationBefore, group.Formation);
            Assert.DoesNotContain(group.Members, m => m.Person.PersonId == "hoang-van-e");
        }
    }

    [Fact]
    public void M5_GroupHasAtMostOneLeader()
    {
        var committee = new Committee();
        var request = new ReformWorkingGroupRequest
        {
            GroupId = "wg-p06",
            Decision = Decision("302/QĐ-BCĐ", D(2026, 7, 15)),
            Members =
            {
                Member("a-leader", BacNinhSeed.StandingAgencyId, GroupRole.Leader),
                Member("b-leader", BacNinhSeed.StandingAgencyId, GroupRole.Leader),
            },
        };

        var ex = Assert.Throws<InvalidArgumentException>(() => committee.Aggregate.ReformGroup(request, Head, committee.Today, committee.Agencies));

        Assert.Equal("members", Assert.Single(ex.Violations).Field);
        Assert.Equal(1, committee.Aggregate.FindGroup("wg-p06").Formation);
    }

    [Fact]
    public void M5_GroupMembersMustComeFromRegisteredAgencies()
    {
        var committee = new Committee();
        var request = new ReformWorkingGroupRequest
        {
            GroupId = "wg-p06",
            Decision = Decision("303/QĐ-BCĐ", D(2026, 7, 15)),
            Members =
            {
                Member("a-member", BacNinhSeed.StandingAgencyId, GroupRole.Member),
                Member("b-member", "so-chua-dang-ky", GroupRole.Member),
            },
        };

        var ex = Assert.Throws<InvalidArgumentException>(() => committee.Aggregate.ReformGroup(request, Head, committee.Today, committee.Agencies));

        Assert.Equal("members[1].agency_id", Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void M5_FormedGroupDefaultsItsStandingAgencyToTheLeadAgency_AndCodesAreUnique()
    {
        var committee = new Committee();
        var request = new FormWorkingGroupRequest
        {
            Code = "WG-AI",
            Kind = GroupKind.WorkingGroup,
            Name = "Tổ Công tác trí tuệ nhân tạo",
            LeadAgencyId = BacNinhSeed.ScienceDepartmentId,
            Decision = Decision("304/QĐ-BCĐ", D(2026, 7, 15)),
        };

        var group = committee.Aggregate.FormGroup(request, committee.Agencies);

        Assert.Equal("wg-ai", group.GroupId);
        Assert.Equal(BacNinhSeed.ScienceDepartmentId, group.StandingAgencyId);
        Assert.Equal(1, group.Formation);
        Assert.Throws<AlreadyExistsException>(() => committee.Aggregate.FormGroup(request, committee.Agencies));
        Assert.Throws<AlreadyExistsException>(() => committee.Aggregate.FormGroup(new FormWorkingGroupRequest(request) { Code = "WG-P06" }, committee.Agencies));
    }

    private static RecordSecondmentRequest Secondment(string groupId, DateOnly start, DateOnly end, string fromAgencyId = BacNinhSeed.HomeAffairsDepartmentId) => new()
    {
        Person = new Person { PersonId = "vu-thi-f", FullName = "Vũ Thị F" },
        FromAgencyId = fromAgencyId,
        GroupId = groupId,
        StartDate = start.ToProtoDate(),
        EndDate = end.ToProtoDate(),
        Decision = Decision("400/QĐ-BCĐ", start),
        Purpose = "Hỗ trợ xây dựng bộ chỉ số",
    };

    [Theory]
    [InlineData(2026, 8, 1, 2026, 7, 31, false)]  // ends before it starts
    [InlineData(2026, 8, 1, 2026, 8, 1, false)]   // ends the day it starts
    [InlineData(2026, 8, 1, 2026, 8, 2, true)]
    [InlineData(2026, 8, 1, 2026, 12, 31, true)]
    public void M5_SecondmentMustEndAfterItStarts(int sy, int sm, int sd, int ey, int em, int ed, bool valid)
    {
        var committee = WithStaffedGroup();
        var request = Secondment("wg-sti-dx", D(sy, sm, sd), D(ey, em, ed));

        if (valid)
        {
            var secondment = committee.Aggregate.RecordSecondment(request, StandingAgencyStaff, committee.Agencies);
            Assert.Equal(request.StartDate, secondment.StartDate);
            Assert.Equal(request.EndDate, secondment.EndDate);
            Assert.Equal("400/QĐ-BCĐ", secondment.Decision.Number);
            Assert.Contains(secondment, committee.Aggregate.State.Secondments);
        }
        else
        {
            var ex = Assert.Throws<InvalidArgumentException>(() => committee.Aggregate.RecordSecondment(request, StandingAgencyStaff, committee.Agencies));
            Assert.Equal("end_date", Assert.Single(ex.Violations).Field);
            Assert.Empty(committee.Aggregate.State.Secondments);
        }
    }

    [Theory]
    [InlineData("can-bo-ca", BacNinhSeed.StandingAgencyId, "wg-sti-dx", true)]  // the Standing Agency, to a group
    [InlineData("can-bo-ca", BacNinhSeed.StandingAgencyId, "", true)]           // the Standing Agency, to itself
    [InlineData(Leader, BacNinhSeed.ScienceDepartmentId, "wg-sti-dx", true)]    // the group's leader, to their group
    [InlineData(Leader, BacNinhSeed.ScienceDepartmentId, "wg-par", false)]      // not to another group
    [InlineData(Leader, BacNinhSeed.ScienceDepartmentId, "", false)]            // nor to the Standing Agency
    [InlineData(GroupMember, BacNinhSeed.ScienceDepartmentId, "wg-sti-dx", false)]
    [InlineData("can-bo-so-noi-vu", BacNinhSeed.HomeAffairsDepartmentId, "wg-par", false)]
    public void M5_SecondmentByStandingAgencyOrGroupLeaderOnly(string personId, string agencyId, string groupId, bool allowed)
    {
        var committee = WithStaffedGroup();
        var request = Secondment(groupId, D(2026, 8, 1), D(2026, 10, 31));

        if (allowed)
        {
            var secondment = committee.Aggregate.RecordSecondment(request, Person(personId, agencyId), committee.Agencies);
            Assert.Equal(groupId, secondment.GroupId);
            Assert.Equal(BacNinhSeed.HomeAffairsDepartmentId, secondment.FromAgencyId);
        }
        else
        {
            var ex = Assert.Throws<PermissionDeniedException>(() =>
                committee.Aggregate.RecordSecondment(request, Person(personId, agencyId), committee.Agencies));
            Assert.Equal("SECONDMENT_NOT_ALLOWED", ex.Reason);
            Assert.Empty(committee.Aggregate.State.Secondments);
        }
    }

    [Fact]
    public void M5_SecondmentFromAnUnregisteredAgencyIsRefused()
    {
        var committee = new Committee();

        var ex = Assert.Throws<InvalidArgumentException>(() =>
            committee.Aggregate.RecordSecondment(Secondment("wg-p06", D(2026, 8, 1), D(2026, 9, 1), "so-chua-dang-ky"), StandingAgencyStaff, committee.Agencies));

        Assert.Equal("from_agency_id", Assert.Single(ex.Violations).Field);
    }
}
