using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.Validation;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ProtoValidate;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>
/// The compiled field-rule checks must agree with the ProtoValidate runtime on every contract
/// message: same fields, same rule ids, for valid and invalid messages alike.
/// </summary>
public sealed class RequestValidatorTests
{
    private static readonly RequestValidator Validator = new(new Validator(new ValidatorOptions { PreLoadDescriptors = false }));

    public static TheoryData<string> ContractMessages()
    {
        var data = new TheoryData<string>();
        foreach (var descriptor in AllMessages())
        {
            data.Add(descriptor.FullName);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ContractMessages))]
    public void CompiledChecksAgreeWithTheProtoValidateRuntime(string messageName)
    {
        var descriptor = AllMessages().Single(d => d.FullName == messageName);
        var random = new Random(messageName.GetHashCode(StringComparison.Ordinal) ^ 20261127);
        var sawViolation = false;
        for (var i = 0; i < 150; i++)
        {
            var message = RandomMessage(descriptor, random, depth: 0);
            var compiled = Key(Validator.Validate(message));
            var runtime = Key(Validator.ValidateWithRuntime(message));
            Assert.True(runtime.SetEquals(compiled),
                $"{messageName} #{i} {message}\n runtime:  {string.Join(", ", runtime.Order())}\n compiled: {string.Join(", ", compiled.Order())}");
            sawViolation |= runtime.Count > 0;
        }

        var hasRules = descriptor.Fields.InDeclarationOrder().Any(f => f.GetOptions()?.HasExtension(Buf.Validate.ValidateExtensions.Field) == true);
        Assert.True(!hasRules || sawViolation, $"{messageName} declares rules, but no generated message broke one: the comparison proved nothing");
    }

    [Fact]
    public void EveryMembershipRequestIsCheckedByCompiledRules()
    {
        var requests = MembershipReflection.Descriptor.MessageTypes.Where(m => m.Name.EndsWith("Request", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.True(Validator.IsCompiled(r), $"{r.FullName} falls back to the runtime"));
    }

    [Fact]
    public void ViolationsNameNestedAndRepeatedFields()
    {
        var request = new GrantDelegationRequest
        {
            RequestId = "abcdefgh-1",
            CommitteeId = "bac-ninh",
            DelegatePersonId = "nguyen-van-a",
            Scopes = { DelegationScope.ConveneMeetings, DelegationScope.Unspecified, DelegationScope.ConveneMeetings },
            ValidFrom = new Google.Protobuf.WellKnownTypes.Timestamp(),
            Decision = new Decision { Number = "" },
        };
        var fields = Validator.Validate(request).Select(v => (v.Field, v.RuleId)).ToHashSet();
        Assert.Contains(("scopes", "repeated.unique"), fields);
        Assert.Contains(("scopes[1]", "enum.not_in"), fields);
        Assert.Contains(("valid_until", "required"), fields);
        Assert.Contains(("decision.number", "string.min_len"), fields);
        Assert.Contains(("decision.date", "required"), fields);
        Assert.DoesNotContain(fields, f => f.Field == "valid_from");
    }

    private static HashSet<string> Key(IEnumerable<Errors.FieldViolation> violations) =>
        violations.Select(v => $"{v.Field}:{v.RuleId}").ToHashSet();

    private static IEnumerable<MessageDescriptor> AllMessages() =>
        new[] { MembershipReflection.Descriptor, CommonReflection.Descriptor, Bcd.Contracts.Events.V1.MembershipEventsReflection.Descriptor }
            .SelectMany(f => f.MessageTypes);

    private static readonly string[] Strings =
    [
        "", "a", "ab", "bac-ninh", "BAD ID", "Sở Nội vụ", " ", "so-khcn", "WG-P06", "x1",
        "https://vanban.bacninh.gov.vn/1455.pdf", "not a uri", "urn:isbn:0451450523", "http://a b", "ftp://x", "//nohost", "mailto:a@b.vn", "/abs/path", "http://ex.vn/ả", "a:b", "http://", "http://[::1]:80/p?q=1#f",
        new string('a', 64), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        new string('đ', 101), new string('x', 501), "1455/QĐ-UBND",
    ];

    private static IMessage RandomMessage(MessageDescriptor descriptor, Random random, int depth)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.IsMap)
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                var count = random.Next(0, 4);
                for (var i = 0; i < count; i++)
                {
                    var item = RandomValue(field, random, depth);
                    if (item is not null)
                    {
                        list.Add(item);
                    }
                }

                if (count > 1 && random.Next(3) == 0 && list.Count > 1)
                {
                    list.Add(list[0]); // Duplicates exercise "unique".
                }

                continue;
            }

            if (random.Next(5) == 0)
            {
                continue; // Leave at default / unset.
            }

            var value = RandomValue(field, random, depth);
            if (value is not null)
            {
                field.Accessor.SetValue(message, value);
            }
        }

        return message;
    }

    private static object? RandomValue(FieldDescriptor field, Random random, int depth) => field.FieldType switch
    {
        FieldType.String => Strings[random.Next(Strings.Length)],
        FieldType.Bool => random.Next(2) == 0,
        FieldType.Int32 => new[] { -1, 0, 1, 100, 500, 501, 1000, 1001 }[random.Next(8)],
        FieldType.Int64 => (long)random.Next(-2, 3),
        FieldType.Enum => EnumValue(field.EnumType, random),
        FieldType.Bytes => ByteString.CopyFrom((byte)random.Next(256)),
        FieldType.Message when field.MessageType.FullName == "google.protobuf.Timestamp" =>
            new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = random.Next(0, int.MaxValue) },
        FieldType.Message when field.MessageType.FullName == "google.type.Date" =>
            new Google.Type.Date { Year = random.Next(0, 3000), Month = random.Next(0, 14), Day = random.Next(0, 32) },
        FieldType.Message => depth < 3 ? RandomMessage(field.MessageType, random, depth + 1) : null,
        _ => null,
    };

    private static object EnumValue(EnumDescriptor type, Random random)
    {
        var numbers = type.Values.Select(v => v.Number).Append(0).Append(99).ToList();
        var number = numbers[random.Next(numbers.Count)];
        return Enum.ToObject(type.ClrType, number);
    }
}
