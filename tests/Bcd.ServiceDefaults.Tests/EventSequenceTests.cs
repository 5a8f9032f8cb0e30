using Bcd.ServiceDefaults.EventBus;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

public sealed class EventSequenceTests
{
    [Theory]
    [InlineData("1712-9", "1712-10", -1)]
    [InlineData("1712-10", "1712-9", 1)]
    [InlineData("1712-99", "1713-0", -1)]
    [InlineData("999-5", "1000-0", -1)]
    [InlineData("1712-9", "1712-9", 0)]
    [InlineData("00000000000000001712-00000000000000000009", "1712-9", 0)]
    [InlineData("00000000000000001712-00000000000000000010", "1712-9", 1)]
    [InlineData("9", "10", -1)]
    public void StreamIdSequencesCompareAsNumbers(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(EventSequence.Compare(a, b)));

    [Fact]
    public void SequencesTheRelayWritesCompareInPublicationOrder()
    {
        var ids = new[] { "1780000000000-0", "1780000000000-9", "1780000000000-10", "1780000000001-0", "17800000000010-0" };
        var sequences = ids.Select(CloudEventEnvelope.SequenceOf).ToList();
        for (var i = 1; i < sequences.Count; i++)
        {
            Assert.True(EventSequence.IsNewer(sequences[i], sequences[i - 1]), $"{ids[i]} after {ids[i - 1]}");
            Assert.False(EventSequence.IsNewer(sequences[i - 1], sequences[i]), $"{ids[i - 1]} before {ids[i]}");
        }
    }

    [Fact]
    public void OtherSequencesFallBackToOrdinalOrder()
    {
        Assert.True(EventSequence.Compare("b", "a") > 0);
        Assert.True(EventSequence.Compare("abc-1", "abd-0") < 0);
    }
}
