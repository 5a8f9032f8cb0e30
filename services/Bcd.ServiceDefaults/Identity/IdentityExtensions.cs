using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Bcd.ServiceDefaults.Identity;

public static class IdentityExtensions
{
    /// <summary>
    /// JWT bearer validation of issuer, audience, lifetime and signature (ARCHITECTURE §6), from the
    /// OIDC authority when one is configured, else from the configured signing key.
    /// </summary>
    public static IServiceCollection AddBcdAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(IdentityOptions.SectionName).Get<IdentityOptions>() ?? new IdentityOptions();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new CachingTokenHandler(TimeProvider.System));
                jwt.RequireHttpsMetadata = options.RequireHttpsMetadata;
                jwt.TokenValidationParameters = ValidationParameters(options);
                if (!string.IsNullOrEmpty(options.Authority))
                {
                    jwt.Authority = options.Authority;
                }
            });
        services.AddAuthorization();
        return services;
    }

    public static TokenValidationParameters ValidationParameters(IdentityOptions options)
    {
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = options.Issuer,
            ValidateAudience = true,
            ValidAudience = options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = BcdClaims.Name,
            RoleClaimType = BcdClaims.Roles,
        };
        if (string.IsNullOrEmpty(options.Authority))
        {
            if (string.IsNullOrEmpty(options.SigningKey))
            {
                throw new InvalidOperationException("Identity:Authority or Identity:SigningKey must be configured.");
            }

            parameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(options.SigningKey));
        }

        return parameters;
    }

    /// <summary>
    /// Development only: GET /dev/token issues a token signed with the configured key so a person can
    /// try each role locally. Never mapped outside the Development environment.
    /// </summary>
    public static IEndpointRouteBuilder MapDevelopmentTokens(this IEndpointRouteBuilder app, IHostEnvironment environment, IConfiguration configuration)
    {
        var options = configuration.GetSection(IdentityOptions.SectionName).Get<IdentityOptions>() ?? new IdentityOptions();
        if (!environment.IsDevelopment() || string.IsNullOrEmpty(options.SigningKey))
        {
            return app;
        }

        app.MapGet("/dev/token", (string sub, string? name, string? committee, string? agency, string? roles, string? province) =>
            Results.Text(TokenFactory.Create(options, sub, name ?? sub, committee, agency, province,
                (roles ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries), TimeSpan.FromHours(8))))
            .AllowAnonymous();
        return app;
    }
}

/// <summary>Signs Bcd tokens with a symmetric key (development, tests and the benchmark).</summary>
public static class TokenFactory
{
    public static string Create(
        IdentityOptions options, string subject, string name, string? committee, string? agency, string? province,
        IEnumerable<string> roles, TimeSpan lifetime, DateTimeOffset? now = null)
    {
        var claims = new List<Claim> { new(BcdClaims.Subject, subject), new(BcdClaims.Name, name) };
        if (!string.IsNullOrEmpty(committee))
        {
            claims.Add(new Claim(BcdClaims.Committee, committee));
        }

        if (!string.IsNullOrEmpty(agency))
        {
            claims.Add(new Claim(BcdClaims.Agency, agency));
        }

        if (!string.IsNullOrEmpty(province))
        {
            claims.Add(new Claim(BcdClaims.Province, province));
        }

        claims.AddRange(roles.Select(r => new Claim(BcdClaims.Roles, r)));
        var issuedAt = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        var key = new SymmetricSecurityKey(Convert.FromBase64String(options.SigningKey
            ?? throw new InvalidOperationException("Identity:SigningKey is required to sign tokens.")));
        var token = new JwtSecurityToken(
            options.Issuer, options.Audience, claims, issuedAt, issuedAt + lifetime,
            new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }
}
