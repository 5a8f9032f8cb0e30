using Bcd.ServiceDefaults.Identity;
using Bcd.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

public sealed class CachingTokenHandlerTests
{
    private static readonly TokenValidationParameters Trusted = IdentityExtensions.ValidationParameters(TestTokens.Options);

    // Same issuer and audience, another key: a token signed with the test key does not validate against it.
    private static readonly TokenValidationParameters OtherKey = IdentityExtensions.ValidationParameters(new IdentityOptions
    {
        Issuer = TestTokens.Issuer,
        Audience = TestTokens.Audience,
        SigningKey = Convert.ToBase64String(new byte[32]),
    });

    [Fact]
    public async Task ValidatedTokenIsServedFromCacheUntilMaxAgeThenValidatedAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new CachingTokenHandler(time);
        var token = TestTokens.For("pham-hoang-son", committee: "bac-ninh");

        Assert.True((await handler.ValidateTokenAsync(token, Trusted)).IsValid);

        // Within MaxAge the cached result answers, even against parameters that would now refuse it.
        var cached = await handler.ValidateTokenAsync(token, OtherKey);
        Assert.True(cached.IsValid);
        Assert.Equal("pham-hoang-son", cached.ClaimsIdentity.FindFirst(BcdClaims.Subject)?.Value);

        // Past MaxAge the token is validated in full again (a rotated key is honoured within MaxAge).
        time.Advance(CachingTokenHandler.MaxAge + TimeSpan.FromSeconds(1));
        Assert.False((await handler.ValidateTokenAsync(token, OtherKey)).IsValid);
    }

    [Fact]
    public async Task InvalidTokenIsNeverCached()
    {
        var handler = new CachingTokenHandler(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = TestTokens.For("someone");

        Assert.False((await handler.ValidateTokenAsync(token, OtherKey)).IsValid);
        Assert.True((await handler.ValidateTokenAsync(token, Trusted)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(token + "x", Trusted)).IsValid);
    }

    [Fact]
    public async Task EachRequestGetsItsOwnIdentity()
    {
        var handler = new CachingTokenHandler(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = TestTokens.For("someone");
        var first = await handler.ValidateTokenAsync(token, Trusted);
        var second = await handler.ValidateTokenAsync(token, Trusted);
        var third = await handler.ValidateTokenAsync(token, Trusted);

        second.ClaimsIdentity.AddClaim(new System.Security.Claims.Claim("added", "by-second"));
        Assert.Null(third.ClaimsIdentity.FindFirst("added"));
        Assert.NotSame(second.ClaimsIdentity, third.ClaimsIdentity);
        Assert.True(first.IsValid);
    }
}
