using System.Text;
using System.Text.Json;
using Bcd.ServiceDefaults.Storage;
using Google.Protobuf;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>A CloudEvents 1.0 event in structured JSON mode, as both transports carry it.</summary>
public sealed record CloudEventEnvelope(
    string Id, string Source, string Type, string Subject, DateTimeOffset Time, string TraceParent, string DataJson)
{
    public const string ContentType = "application/cloudevents+json";

    /// <summary>
    /// CloudEvents "sequence" extension: the position of the event in its service's outbox, as a
    /// string that sorts in publication order. Subscribers use it to ignore an older event that a
    /// redelivery brings after a newer one about the same subject.
    /// </summary>
    public string Sequence { get; init; } = string.Empty;

    /// <summary>Sequence of an outbox entry id ("ms-n"), zero-padded so string order is publication order.</summary>
    public static string SequenceOf(string outboxEntryId)
    {
        var dash = outboxEntryId.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && ulong.TryParse(outboxEntryId.AsSpan(0, dash), out var ms) && ulong.TryParse(outboxEntryId.AsSpan(dash + 1), out var n)
            ? $"{ms:D20}-{n:D20}"
            : throw new ArgumentException($"'{outboxEntryId}' is not a stream entry id.", nameof(outboxEntryId));
    }

    public static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static CloudEventEnvelope FromOutbox(OutboxEvent e, string service) =>
        new(e.Id, SourceOf(service), e.Type, e.Subject, e.Time, e.TraceParent, e.Data);

    public static string SourceOf(string service) => "/bcd/" + service;

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            writer.WriteString("id", Id);
            writer.WriteString("source", Source);
            writer.WriteString("type", Type);
            if (Subject.Length > 0)
            {
                writer.WriteString("subject", Subject);
            }

            // Invariant: ':' in a custom format is the culture's time separator ('.' in fi-FI, da-DK).
            writer.WriteString("time", Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("datacontenttype", "application/json");
            if (TraceParent.Length > 0)
            {
                writer.WriteString("traceparent", TraceParent);
            }

            if (Sequence.Length > 0)
            {
                writer.WriteString("sequence", Sequence);
            }

            writer.WritePropertyName("data");
            writer.WriteRawValue(DataJson);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses a structured-mode CloudEvent; throws <see cref="MalformedEventException"/> when it is not one.</summary>
    public static CloudEventEnvelope Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            string Required(string name) =>
                root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } s
                    ? s
                    : throw new MalformedEventException($"CloudEvent attribute '{name}' is missing.");
            string Optional(string name) =>
                root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() ?? string.Empty : string.Empty;
            if (Required("specversion") != "1.0")
            {
                throw new MalformedEventException("Only CloudEvents 1.0 is supported.");
            }

            var time = DateTimeOffset.MinValue;
            if (root.TryGetProperty("time", out var t) &&
                !(t.ValueKind == JsonValueKind.String &&
                  DateTimeOffset.TryParse(t.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out time)))
            {
                throw new MalformedEventException("CloudEvent attribute 'time' is not an RFC 3339 timestamp.");
            }
            var data = root.TryGetProperty("data", out var d) ? d.GetRawText() : "{}";
            return new CloudEventEnvelope(Required("id"), Required("source"), Required("type"), Optional("subject"), time,
                Optional("traceparent"), data) { Sequence = Optional("sequence") };
        }
        catch (JsonException ex)
        {
            throw new MalformedEventException("The body is not a JSON CloudEvent.", ex);
        }
    }

    /// <summary>Reads the event's data as the protobuf message its type names.</summary>
    public static IMessage ParseData(string dataJson, Google.Protobuf.Reflection.MessageDescriptor descriptor)
    {
        try
        {
            return Parser.Parse(dataJson, descriptor);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException)
        {
            throw new MalformedEventException($"The data is not a valid {descriptor.FullName}.", ex);
        }
    }
}

/// <summary>An event that can never be handled (not a CloudEvent, or not the type it claims): retrying changes nothing.</summary>
public sealed class MalformedEventException(string message, Exception? inner = null) : FormatException(message, inner);
