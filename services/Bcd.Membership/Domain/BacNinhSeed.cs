using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.Identity;

namespace Bcd.Membership.Domain;

/// <summary>
/// The Bắc Ninh committee as its Regulation describes it (../shared/seed, Điều 4, 8, 9, 10, 14):
/// founded by Decision 1455/QĐ-UBND of 03/6/2026; Head = Chairman of the Provincial People's
/// Committee (Phạm Hoàng Sơn, the Decision's signer); Standing Agency = Công an tỉnh; three working
/// groups led by Sở KH&amp;CN, Công an tỉnh and Sở Nội vụ; the Assistance Group.
/// The Regulation names offices, not the people holding them (those are in Decision 1455, which is
/// not part of the seed), so the lead agencies' directors' seats are seeded vacant.
/// </summary>
public static class BacNinhSeed
{
    public const string CommitteeId = "bac-ninh";
    public const string HeadPersonId = "pham-hoang-son";
    public const string StandingAgencyId = "cong-an-tinh";
    public const string ScienceDepartmentId = "so-khcn";
    public const string HomeAffairsDepartmentId = "so-noi-vu";

    public static readonly Caller SeedActor = new("system-seed", "Nạp dữ liệu theo Quy chế (Quyết định 1455/QĐ-UBND)",
        CommitteeId, null, "Bắc Ninh", new HashSet<string>());

    public static Decision FoundingDecision() => new()
    {
        Number = "1455/QĐ-UBND",
        Date = new Google.Type.Date { Year = 2026, Month = 6, Day = 3 },
        Signer = "Chủ tịch UBND tỉnh Phạm Hoàng Sơn",
    };

    public static FoundedCommittee Build(TimeProvider time)
    {
        var chairman = SeedActor with { PersonId = HeadPersonId, DisplayName = "Phạm Hoàng Sơn" };
        var founded = CommitteeFactory.Found(new CreateCommitteeRequest
        {
            CommitteeId = CommitteeId,
            Province = "Bắc Ninh",
            Name = "Ban Chỉ đạo về phát triển khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số và Đề án 06 tỉnh Bắc Ninh",
            FoundingDecision = FoundingDecision(),
            ProvincialGovernmentName = "Ủy ban nhân dân tỉnh Bắc Ninh",
            StandingAgencyId = StandingAgencyId,
            StandingAgencyName = "Công an tỉnh Bắc Ninh",
            HeadSeatTitle = "Chủ tịch UBND tỉnh",
            HeadFullName = "Phạm Hoàng Sơn",
        }, chairman, time);

        var agencies = founded.Agencies.ToList();
        agencies[1].ShortName = "Công an tỉnh";
        agencies.Add(new Agency { AgencyId = ScienceDepartmentId, CommitteeId = CommitteeId, Name = "Sở Khoa học và Công nghệ tỉnh Bắc Ninh", ShortName = "Sở KH&CN", Kind = AgencyKind.Department });
        agencies.Add(new Agency { AgencyId = HomeAffairsDepartmentId, CommitteeId = CommitteeId, Name = "Sở Nội vụ tỉnh Bắc Ninh", ShortName = "Sở Nội vụ", Kind = AgencyKind.Department });

        var state = founded.Committee.State;
        state.Seats.Add(new Seat { CreatedOn = FoundingDecision().Date, SeatId = "seat-giam-doc-cong-an-tinh", Title = "Giám đốc Công an tỉnh", Role = Role.Member, AgencyId = StandingAgencyId });
        state.Seats.Add(new Seat { CreatedOn = FoundingDecision().Date, SeatId = "seat-giam-doc-so-khcn", Title = "Giám đốc Sở Khoa học và Công nghệ", Role = Role.Member, AgencyId = ScienceDepartmentId });
        state.Seats.Add(new Seat { CreatedOn = FoundingDecision().Date, SeatId = "seat-giam-doc-so-noi-vu", Title = "Giám đốc Sở Nội vụ", Role = Role.Member, AgencyId = HomeAffairsDepartmentId });

        var decision = FoundingDecision();
        state.Groups.Add(Group("WG-STI-DX", GroupKind.WorkingGroup,
            "Tổ Công tác về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
            "Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số (trừ chuyển đổi số gắn với Đề án 06) — Điều 8.2",
            ScienceDepartmentId, decision));
        state.Groups.Add(Group("WG-P06", GroupKind.WorkingGroup,
            "Tổ Công tác triển khai Đề án 06; cải cách thủ tục hành chính, chuyển đổi số gắn với Đề án 06",
            "Đề án 06 (dữ liệu dân cư, định danh và xác thực điện tử), cải cách TTHC gắn với Đề án 06 — Điều 8.3",
            StandingAgencyId, decision));
        state.Groups.Add(Group("WG-PAR", GroupKind.WorkingGroup,
            "Tổ Công tác cải cách hành chính",
            "Cải cách hành chính (trừ cải cách TTHC gắn với Đề án 06) — Điều 8.4",
            HomeAffairsDepartmentId, decision));
        state.Groups.Add(Group("TGV", GroupKind.AssistanceGroup,
            "Tổ Giúp việc Ban Chỉ đạo",
            "Kiểm tra, giám sát, đánh giá, theo dõi việc thực hiện nhiệm vụ — Điều 10",
            StandingAgencyId, decision));
        return new FoundedCommittee(founded.Committee, agencies);
    }

    private static WorkingGroup Group(string code, GroupKind kind, string name, string scope, string leadAgencyId, Decision decision) => new()
    {
        GroupId = code.ToLowerInvariant(),
        Code = code,
        Kind = kind,
        Name = name,
        Scope = scope,
        LeadAgencyId = leadAgencyId,
        StandingAgencyId = leadAgencyId,
        FormedBy = decision,
        Formation = 1,
    };
}
