using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ProtoValidate;

namespace Bcd.ServiceDefaults.Errors;

/// <summary>
/// Applies the field rules declared in the .proto files (protovalidate) to every request before the
/// service sees it, so one definition of "valid" serves every service and every client.
/// </summary>
public sealed class ValidationInterceptor(IValidator validator) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request);
        return continuation(request, responseStream, context);
    }

    private void Validate(object request)
    {
        if (request is IMessage message)
        {
            validator.ValidateOrThrow(message);
        }
    }
}

public static class ValidatorExtensions
{
    /// <summary>Validates a message with its declared rules and throws INVALID_ARGUMENT naming every bad field.</summary>
    public static void ValidateOrThrow(this IValidator validator, IMessage message, string fieldPrefix = "")
    {
        var result = validator.Validate(message, false);
        if (result.Violations.Count == 0)
        {
            return;
        }

        var violations = result.Violations
            .Select(v => new FieldViolation(
                fieldPrefix + FieldPath(v),
                v.Message,
                Vietnamese(v.RuleId, v.Message)))
            .ToList();
        throw new InvalidArgumentException(violations);
    }

    private static string FieldPath(Buf.Validate.Violation v)
    {
        if (v.Field is null || v.Field.Elements.Count == 0)
        {
            return string.Empty;
        }

        return string.Join(".", v.Field.Elements.Select(e =>
            e.SubscriptCase == Buf.Validate.FieldPathElement.SubscriptOneofCase.Index
                ? $"{e.FieldName}[{e.Index}]"
                : e.FieldName));
    }

    // protovalidate messages are English; officials read Vietnamese, so common rules get a translation.
    private static string Vietnamese(string ruleId, string english) => ruleId switch
    {
        "required" => "Trường này là bắt buộc.",
        "string.min_len" => "Giá trị quá ngắn hoặc còn trống.",
        "string.max_len" => "Giá trị quá dài.",
        "string.pattern" => "Giá trị không đúng định dạng.",
        "string.uri" => "Địa chỉ (URI) không hợp lệ.",
        "enum.defined_only" => "Giá trị không thuộc danh mục cho phép.",
        "enum.not_in" or "enum.in" => "Phải chọn một giá trị hợp lệ.",
        "repeated.min_items" => "Cần ít nhất một phần tử.",
        "repeated.unique" => "Các phần tử không được trùng nhau.",
        "int32.gte_lte" or "int32.gte" or "int32.lte" => "Giá trị nằm ngoài khoảng cho phép.",
        _ => "Giá trị không hợp lệ: " + english,
    };
}
