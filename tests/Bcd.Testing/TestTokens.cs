using Bcd.ServiceDefaults.Identity;

namespace Bcd.Testing;

/// <summary>Tokens signed with the key the test apps trust.</summary>
public static class TestTokens
{
    public const string SigningKey = "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24tMDEyMzQ1Njc4OQ==";
    public const string Issuer = "bcd-test";
    public const string Audience = "bcd";

    public static readonly IdentityOptions Options = new() { Issuer = Issuer, Audience = Audience, SigningKey = SigningKey };

    public static string For(string personId, string? committee = null, string? agency = null, string? province = null,
        string? name = null, params string[] roles) =>
        TokenFactory.Create(Options, personId, name ?? personId, committee, agency, province, roles, TimeSpan.FromHours(1));

    /// <summary>Settings every test app needs to trust these tokens.</summary>
    public static IEnumerable<string> Settings() =>
    [
        $"--Identity:Issuer={Issuer}",
        $"--Identity:Audience={Audience}",
        $"--Identity:SigningKey={SigningKey}",
    ];
}
