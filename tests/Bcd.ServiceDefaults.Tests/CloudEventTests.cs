using System.Globalization;
using System.Text.Json;
using Bcd.ServiceDefaults.EventBus;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>The CloudEvent both transports carry, independent of the host's culture.</summary>
public sealed class CloudEventTests
{
    [Theory]
    [InlineData("da-DK")]
    [InlineData("fi-FI")]
    [InlineData("vi-VN")]
    public void CloudEventTimeIsRfc3339WhateverTheCulture(string culture)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo(culture);
        try
        {
            var time = new DateTimeOffset(2025, 3, 4, 10, 20, 30, TimeSpan.Zero);
            var json = new CloudEventEnvelope("e1", "/bcd/svc", TestEvents.AgencyTopic, "c1", time, string.Empty, "{}").ToJson();

            using var doc = JsonDocument.Parse(json);
            Assert.Equal("2025-03-04T10:20:30.0000000Z", doc.RootElement.GetProperty("time").GetString());
            Assert.Equal(time, CloudEventEnvelope.Parse(json).Time);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void EnvelopeRoundTripsThroughItsJson()
    {
        var original = new CloudEventEnvelope("e2", "/bcd/membership", TestEvents.AgencyTopic, "bac-ninh",
            new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            Google.Protobuf.JsonFormatter.Default.Format(TestEvents.Agency("so-gd")));

        var parsed = CloudEventEnvelope.Parse(original.ToJson());

        Assert.Equal(original with { DataJson = string.Empty }, parsed with { DataJson = string.Empty });
        var data = (Contracts.Events.V1.AgencyRegistered)CloudEventEnvelope.ParseData(parsed.DataJson, Contracts.Events.V1.AgencyRegistered.Descriptor);
        Assert.Equal("so-gd", data.Agency.AgencyId);
    }

    [Theory]
    [InlineData("1732700000000-9", "1732700000000-10")]
    [InlineData("999999999999-0", "1000000000000-0")]
    [InlineData("1732700000000-0", "1732700000001-0")]
    public void SequenceSortsInPublicationOrder(string earlierEntryId, string laterEntryId)
    {
        var earlier = CloudEventEnvelope.SequenceOf(earlierEntryId);
        var later = CloudEventEnvelope.SequenceOf(laterEntryId);

        Assert.True(string.CompareOrdinal(earlier, later) < 0, $"{earlier} should sort before {later}");
        var envelope = new CloudEventEnvelope("e3", "/bcd/svc", TestEvents.AgencyTopic, "c1", DateTimeOffset.UtcNow, string.Empty, "{}") { Sequence = later };
        Assert.Equal(later, CloudEventEnvelope.Parse(envelope.ToJson()).Sequence);
    }
}
