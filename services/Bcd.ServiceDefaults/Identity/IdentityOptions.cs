namespace Bcd.ServiceDefaults.Identity;

/// <summary>Configuration section "Identity": the province's OIDC provider, or a signing key.</summary>
public sealed class IdentityOptions
{
    public const string SectionName = "Identity";

    /// <summary>OIDC authority whose discovery document gives the signing keys (clusters).</summary>
    public string? Authority { get; set; }

    public string Issuer { get; set; } = "bcd-dev";

    public string Audience { get; set; } = "bcd";

    /// <summary>Base64 HMAC-SHA256 key, used when no Authority is set (local runs and tests).</summary>
    public string? SigningKey { get; set; }

    /// <summary>Permit http authorities (development only).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary>Claim names in Bcd tokens.</summary>
public static class BcdClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Committee = "bcd_committee";
    public const string Agency = "bcd_agency";
    public const string Roles = "roles";

    /// <summary>Role of the Chairman of a Provincial People's Committee (founds the committee, Điều 4).</summary>
    public const string ProvinceChairmanRole = "province-chairman";

    /// <summary>Claim naming the province the chairman leads.</summary>
    public const string Province = "bcd_province";
}
