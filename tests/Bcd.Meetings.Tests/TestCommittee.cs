using Bcd.Contracts.Membership.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Identity;

namespace Bcd.Meetings.Tests;

/// <summary>
/// A committee as the meetings projection would hold it (Bắc Ninh's shape): the Head, a Standing
/// Deputy Head, a Deputy Head, two members and a vacant seat, the Standing Agency Công an tỉnh and a
/// working group. Tests add delegations with <see cref="WithDelegation"/>. No I/O.
/// </summary>
internal static class TestCommittee
{
    public const string CommitteeId = "bac-ninh";
    public const string Head = "pham-hoang-son";
    public const string StandingDeputy = "giam-doc-cong-an";
    public const string Deputy = "pho-chu-tich-ubnd";
    public const string MemberKhcn = "giam-doc-so-khcn";
    public const string MemberNoiVu = "giam-doc-so-noi-vu";
    public const string StandingAgencyStaff = "can-bo-ca";
    public const string StandingAgencyId = "cong-an-tinh";
    public const string WorkingGroupId = "wg-sti-dx";

    public static readonly DateOnly Founded = new(2026, 6, 3);

    public static CommitteeView Build(params DelegationView[] delegations) => new(
        CommitteeId,
        "Ban Chỉ đạo tỉnh Bắc Ninh",
        StandingAgencyId,
        new Dictionary<string, AgencyView>
        {
            ["ubnd-tinh"] = new("ubnd-tinh", "UBND tỉnh Bắc Ninh"),
            [StandingAgencyId] = new(StandingAgencyId, "Công an tỉnh"),
            ["so-khcn"] = new("so-khcn", "Sở Khoa học và Công nghệ"),
            ["so-noi-vu"] = new("so-noi-vu", "Sở Nội vụ"),
            ["so-tai-chinh"] = new("so-tai-chinh", "Sở Tài chính"),
        },
        [
            Seat("seat-head", "Trưởng Ban", Role.Head, "ubnd-tinh", Head, "Phạm Hoàng Sơn"),
            Seat("seat-standing-deputy", "Phó Trưởng Ban Thường trực", Role.StandingDeputyHead, StandingAgencyId, StandingDeputy, "Giám đốc Công an tỉnh"),
            Seat("seat-deputy", "Phó Trưởng Ban", Role.DeputyHead, "ubnd-tinh", Deputy, "Phó Chủ tịch UBND tỉnh"),
            Seat("seat-giam-doc-so-khcn", "Giám đốc Sở KH&CN", Role.Member, "so-khcn", MemberKhcn, "Giám đốc Sở KH&CN"),
            Seat("seat-giam-doc-so-noi-vu", "Giám đốc Sở Nội vụ", Role.Member, "so-noi-vu", MemberNoiVu, "Giám đốc Sở Nội vụ"),
            new SeatView("seat-giam-doc-so-tai-chinh", "Giám đốc Sở Tài chính", Role.Member, "so-tai-chinh", Founded, null, []),
        ],
        delegations,
        [
            new GroupView(WorkingGroupId, "WG-STI-DX", "Tổ Công tác KHCN, ĐMST và CĐS", GroupKind.WorkingGroup, "so-khcn",
            [
                new GroupMemberView(MemberKhcn, "Giám đốc Sở KH&CN", "so-khcn", GroupRole.Leader),
                new GroupMemberView(MemberNoiVu, "Giám đốc Sở Nội vụ", "so-noi-vu", GroupRole.Member),
            ]),
        ]);

    /// <summary>A delegation from the Head to the Deputy Head.</summary>
    public static DelegationView Delegation(DateTimeOffset from, DateTimeOffset until, params DelegationScope[] scopes) =>
        new("dlg-1", Head, Deputy, "seat-deputy", scopes.ToHashSet(), from, until, null);

    public static Caller Person(string personId, string? agencyId = null, params string[] roles) =>
        new(personId, personId, CommitteeId, agencyId, "Bắc Ninh", roles.ToHashSet(StringComparer.Ordinal));

    public static Caller StandingAgency => Person(StandingAgencyStaff, StandingAgencyId, "standing-agency");

    private static SeatView Seat(string seatId, string title, Role role, string agencyId, string personId, string name) =>
        new(seatId, title, role, agencyId, Founded, null, [new TenureView(personId, name, Founded, null)]);
}
