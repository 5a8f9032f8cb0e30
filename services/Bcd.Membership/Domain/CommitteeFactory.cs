using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Storage;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;

namespace Bcd.Membership.Domain;

/// <summary>A committee as founded: its aggregate and the agencies registered with it.</summary>
public sealed record FoundedCommittee(CommitteeAggregate Committee, IReadOnlyList<Agency> Agencies);

/// <summary>Founding a committee (Điều 1, 4, 9): the Chairman becomes Head; UBND tỉnh and the Standing Agency are registered.</summary>
public static class CommitteeFactory
{
    public const string ProvincialGovernmentAgencyId = "ubnd-tinh";

    public static FoundedCommittee Found(CreateCommitteeRequest request, Caller chairman, TimeProvider time)
    {
        var decision = request.FoundingDecision.Clone();
        if (string.IsNullOrEmpty(decision.Signer))
        {
            decision.Signer = chairman.DisplayName;
        }

        var state = new CommitteeState
        {
            Committee = new Committee
            {
                CommitteeId = request.CommitteeId,
                Province = request.Province.Trim(),
                Name = request.Name.Trim(),
                StandingAgencyId = request.StandingAgencyId,
                ProvincialGovernmentAgencyId = ProvincialGovernmentAgencyId,
                FoundingDecision = decision,
                CreatedAt = time.NowTimestamp(),
            },
        };
        var committee = new CommitteeAggregate(state);
        var head = new Seat
        {
            SeatId = "seat-head",
            Title = request.HeadSeatTitle.Trim(),
            Role = Role.Head,
            AgencyId = ProvincialGovernmentAgencyId,
            ProvincialLeader = true,
            CreatedOn = decision.Date,
        };
        head.Tenures.Add(new Tenure
        {
            Person = new Person { PersonId = chairman.PersonId, FullName = request.HeadFullName.Trim() },
            From = decision.Date,
            AppointedBy = decision,
        });
        state.Seats.Add(head);
        var agencies = new List<Agency>
        {
            new() { AgencyId = ProvincialGovernmentAgencyId, CommitteeId = request.CommitteeId, Name = request.ProvincialGovernmentName.Trim(), Kind = AgencyKind.ProvincialGovernment, ShortName = "UBND tỉnh" },
            new() { AgencyId = request.StandingAgencyId, CommitteeId = request.CommitteeId, Name = request.StandingAgencyName.Trim(), Kind = AgencyKind.Sector },
        };
        return new FoundedCommittee(committee, agencies);
    }
}
