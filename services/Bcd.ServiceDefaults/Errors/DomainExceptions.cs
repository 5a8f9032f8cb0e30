namespace Bcd.ServiceDefaults.Errors;

/// <summary>A field that failed validation, named by its proto path (e.g. "decision.number").</summary>
public sealed record FieldViolation(string Field, string Description, string DescriptionVi)
{
    /// <summary>The protovalidate rule that failed (e.g. "string.min_len"), when a declared rule did.</summary>
    public string? RuleId { get; init; }
}

/// <summary>
/// Base of every error a service reports on purpose. The error interceptor maps each kind to one gRPC
/// status with details (ARCHITECTURE §4); services never build statuses by hand.
/// </summary>
public abstract class DomainException(string message, string messageVi) : Exception(message)
{
    public string MessageVi { get; } = messageVi;
}

/// <summary>Malformed or missing fields → INVALID_ARGUMENT + google.rpc.BadRequest.</summary>
public sealed class InvalidArgumentException(IReadOnlyList<FieldViolation> violations)
    : DomainException(
        "Invalid request: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")),
        "Yêu cầu không hợp lệ: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.DescriptionVi}")))
{
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;

    public InvalidArgumentException(string field, string description, string descriptionVi)
        : this([new FieldViolation(field, description, descriptionVi)])
    {
    }
}

/// <summary>A regulation rule refuses the action → FAILED_PRECONDITION + ErrorInfo + vi-VN LocalizedMessage.</summary>
public sealed class RuleViolationException(
    string rule, string reason, string message, string messageVi, IReadOnlyDictionary<string, string>? metadata = null)
    : DomainException($"[{rule}] {message}", $"[{rule}] {messageVi}")
{
    /// <summary>The regulation rule ID, e.g. "M2".</summary>
    public string Rule { get; } = rule;

    /// <summary>UPPER_SNAKE reason, e.g. "ABSENCE_CUTOFF_PASSED".</summary>
    public string Reason { get; } = reason;

    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata ?? new Dictionary<string, string>();
}

/// <summary>The named resource does not exist → NOT_FOUND + ResourceInfo.</summary>
public sealed class NotFoundException(string resourceType, string resourceName)
    : DomainException($"{resourceType} '{resourceName}' was not found.", $"Không tìm thấy {resourceType} '{resourceName}'.")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
}

/// <summary>The resource to create exists already → ALREADY_EXISTS + ResourceInfo.</summary>
public sealed class AlreadyExistsException(string resourceType, string resourceName)
    : DomainException($"{resourceType} '{resourceName}' already exists.", $"{resourceType} '{resourceName}' đã tồn tại.")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
}

/// <summary>A concurrent update won the race → ABORTED; the client retries.</summary>
public sealed class ConcurrencyConflictException(string key)
    : DomainException(
        $"The resource '{key}' was changed by another request; retry.",
        $"Dữ liệu '{key}' vừa được thay đổi bởi một yêu cầu khác; vui lòng thử lại.")
{
    public string Key { get; } = key;
}

/// <summary>The caller lacks the role or delegation → PERMISSION_DENIED + ErrorInfo + LocalizedMessage.</summary>
public sealed class PermissionDeniedException(string reason, string message, string messageVi, string? rule = null)
    : DomainException(rule is null ? message : $"[{rule}] {message}", rule is null ? messageVi : $"[{rule}] {messageVi}")
{
    public string Reason { get; } = reason;
    public string? Rule { get; } = rule;
}

/// <summary>No caller identity → UNAUTHENTICATED.</summary>
public sealed class UnauthenticatedException()
    : DomainException("A valid bearer token is required.", "Cần mã truy cập (bearer token) hợp lệ.");
