using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Meetings.Domain;

/// <summary>
/// G5 — written consultation between meetings (lấy ý kiến bằng văn bản, Điều 3, 13.6) over the stored
/// <see cref="Consultation"/>. No I/O: the service loads the state and the committee view, calls one
/// operation with the time of the act, and stores <see cref="State"/>.
/// </summary>
public sealed class ConsultationAggregate(Consultation state)
{
    public const string Rule = "G5";
    public const string StandingAgencyRole = "STANDING_AGENCY";
    public const string HeadRole = "HEAD";
    public const string StandingDeputyHeadRole = "STANDING_DEPUTY_HEAD";

    public Consultation State { get; } = state;

    // ---- open ----------------------------------------------------------------------------------

    /// <summary>
    /// The Standing Agency opens a consultation. No named recipients means every member holding a seat
    /// today (province date); named recipients must hold a seat today, since only members are consulted.
    /// </summary>
    public static ConsultationAggregate Open(
        string consultationId,
        Caller caller,
        CommitteeView view,
        string question,
        IEnumerable<DocumentRef> documents,
        IEnumerable<string> recipientPersonIds,
        DateTimeOffset deadline,
        DateTimeOffset now)
    {
        if (caller.CommitteeId != view.CommitteeId || caller.AgencyId != view.StandingAgencyId)
        {
            throw new PermissionDeniedException("STANDING_AGENCY_ONLY",
                "Only the Standing Agency of the Steering Committee may open a written consultation.",
                "Chỉ Cơ quan thường trực Ban Chỉ đạo mới được lấy ý kiến bằng văn bản.", Rule);
        }

        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(question))
        {
            violations.Add(new FieldViolation("question", "The question is required.", "Cần nêu nội dung xin ý kiến."));
        }

        if (deadline <= now)
        {
            violations.Add(new FieldViolation("deadline", "The deadline must be in the future.", "Thời hạn trả lời phải sau thời điểm hiện tại."));
        }

        var today = ProvinceTime.DateOf(now);
        var members = view.RosterOn(today)
            .Where(r => r.Holder is not null)
            .Select(r => r.Holder!.PersonId)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var named = recipientPersonIds.ToList();
        for (var i = 0; i < named.Count; i++)
        {
            if (!members.Contains(named[i], StringComparer.Ordinal))
            {
                violations.Add(new FieldViolation($"recipient_person_ids[{i}]",
                    $"'{named[i]}' holds no seat in the committee today.",
                    $"'{named[i]}' không giữ vị trí thành viên nào của Ban Chỉ đạo vào ngày hôm nay."));
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        var recipients = named.Count > 0 ? named.Distinct(StringComparer.Ordinal).ToList() : members;
        if (recipients.Count == 0)
        {
            throw new RuleViolationException(Rule, "NO_RECIPIENTS",
                "The committee has no member holding a seat today to consult.",
                "Ban Chỉ đạo không có thành viên đương nhiệm nào để xin ý kiến.");
        }

        var consultation = new Consultation
        {
            ConsultationId = consultationId,
            CommitteeId = view.CommitteeId,
            Question = question,
            Deadline = Timestamp.FromDateTimeOffset(deadline),
            Status = ConsultationStatus.Open,
            OpenedBy = caller.ToActor(new ActingCapacity(caller.PersonId, StandingAgencyRole, null)),
            OpenedAt = Timestamp.FromDateTimeOffset(now),
            Version = 1,
        };
        consultation.Documents.AddRange(documents.Select(d => d.Clone()));
        consultation.RecipientPersonIds.AddRange(recipients);
        return new ConsultationAggregate(consultation);
    }

    // ---- answer --------------------------------------------------------------------------------

    /// <summary>
    /// A recipient answers before the deadline. One answer per recipient counts: a new one replaces the
    /// earlier, which is kept (oldest first) in <see cref="ConsultationAnswer.Replaced"/> so history is never lost (X1).
    /// </summary>
    public ConsultationAnswer Answer(Caller caller, ConsultationPosition position, string text, DateTimeOffset now)
    {
        if (!State.RecipientPersonIds.Contains(caller.PersonId))
        {
            throw new PermissionDeniedException("NOT_A_RECIPIENT",
                "Only a recipient of the consultation may answer it.",
                "Chỉ người được xin ý kiến mới được trả lời.", Rule);
        }

        RequireAcceptingAnswers(now);

        var violations = new List<FieldViolation>();
        if (position is not (ConsultationPosition.Agree or ConsultationPosition.Disagree or ConsultationPosition.Comment))
        {
            violations.Add(new FieldViolation("position", "The answer must agree, disagree or comment.",
                "Ý kiến phải là đồng ý, không đồng ý hoặc ý kiến khác."));
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            violations.Add(new FieldViolation("text", "The answer's text is required.", "Cần nêu nội dung ý kiến."));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        var answer = new ConsultationAnswer
        {
            PersonId = caller.PersonId,
            Position = position,
            Text = text,
            AnsweredAt = Timestamp.FromDateTimeOffset(now),
        };

        var index = IndexOfAnswer(caller.PersonId);
        if (index >= 0)
        {
            // The replaced answer moves into history flat, so Replaced stays one list, oldest first.
            var previous = State.Answers[index];
            answer.Replaced.AddRange(previous.Replaced);
            var superseded = previous.Clone();
            superseded.Replaced.Clear();
            answer.Replaced.Add(superseded);
            State.Answers[index] = answer;
        }
        else
        {
            State.Answers.Add(answer);
        }

        Touch(now);
        return answer;
    }

    // ---- decide --------------------------------------------------------------------------------

    /// <summary>
    /// The Standing Board's decision, recorded by the Head or the Standing Deputy Head in person (seats
    /// held today). Not before the deadline unless every recipient has answered; only once.
    /// </summary>
    public void Decide(Caller caller, CommitteeView view, string decision, Decision? document, DateTimeOffset now)
    {
        if (view.CommitteeId != State.CommitteeId)
        {
            throw new ArgumentException($"The view is of committee '{view.CommitteeId}', not '{State.CommitteeId}'.", nameof(view));
        }

        var actingAs = StandingBoardCapacity(caller, view, ProvinceTime.DateOf(now));

        if (IsDecided(State))
        {
            throw new RuleViolationException(Rule, "CONSULTATION_ALREADY_DECIDED",
                "The consultation has already been decided.",
                "Việc lấy ý kiến này đã có quyết định.");
        }

        var compilation = Compile(State);
        if (now < State.Deadline.ToInstant() && compilation.NotAnsweredPersonIds.Count > 0)
        {
            throw new RuleViolationException(Rule, "CONSULTATION_STILL_OPEN",
                $"The deadline has not passed and {compilation.NotAnsweredPersonIds.Count} recipient(s) have not answered.",
                $"Chưa hết thời hạn và còn {compilation.NotAnsweredPersonIds.Count} người chưa trả lời.",
                new Dictionary<string, string>
                {
                    ["deadline"] = State.Deadline.ToInstant().ToString("O"),
                    ["not_answered"] = string.Join(",", compilation.NotAnsweredPersonIds),
                });
        }

        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(decision))
        {
            violations.Add(new FieldViolation("decision", "The decision's text is required.", "Cần nêu nội dung quyết định."));
        }

        if (document is not null && string.IsNullOrWhiteSpace(document.Number))
        {
            violations.Add(new FieldViolation("document.number", "The document's number is required.", "Cần ghi số văn bản."));
        }

        if (document is not null && !document.Date.IsValid())
        {
            violations.Add(new FieldViolation("document.date", "The document's date is required and must be a valid date.",
                "Cần ghi ngày ban hành văn bản hợp lệ."));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        State.Decision = decision;
        if (document is not null)
        {
            // X1: the document behind the decision is recorded with it.
            State.DecisionDocument = document.Clone();
        }

        State.DecidedBy = caller.ToActor(new ActingCapacity(caller.PersonId, actingAs, null));
        State.DecidedAt = Timestamp.FromDateTimeOffset(now);
        Touch(now);
    }

    /// <summary>The integration event the service publishes once <see cref="Decide"/> has succeeded.</summary>
    public ConsultationDecided DecidedEvent()
    {
        if (!IsDecided(State))
        {
            throw new InvalidOperationException($"Consultation '{State.ConsultationId}' is not decided.");
        }

        return new ConsultationDecided
        {
            Consultation = ForRead(State, State.DecidedAt.ToInstant()),
            OccurredAt = State.DecidedAt.Clone(),
            Actor = State.DecidedBy.Clone(),
        };
    }

    // ---- reads ---------------------------------------------------------------------------------

    /// <summary>OPEN before the deadline, CLOSED after it, DECIDED once the decision is recorded.</summary>
    public static ConsultationStatus StatusAt(Consultation consultation, DateTimeOffset now) =>
        IsDecided(consultation) ? ConsultationStatus.Decided
        : now < consultation.Deadline.ToInstant() ? ConsultationStatus.Open
        : ConsultationStatus.Closed;

    /// <summary>
    /// The compilation, always computed from the answers (G5 forbids typing it): counts per position over
    /// the current answers of recipients, and the recipients who have not answered, in recipient order.
    /// </summary>
    public static ConsultationCompilation Compile(Consultation consultation)
    {
        var recipients = consultation.RecipientPersonIds.ToHashSet(StringComparer.Ordinal);
        var current = consultation.Answers.Where(a => recipients.Contains(a.PersonId)).ToList();
        var answered = current.Select(a => a.PersonId).ToHashSet(StringComparer.Ordinal);
        var compilation = new ConsultationCompilation
        {
            Agree = current.Count(a => a.Position == ConsultationPosition.Agree),
            Disagree = current.Count(a => a.Position == ConsultationPosition.Disagree),
            Comment = current.Count(a => a.Position == ConsultationPosition.Comment),
            Recipients = recipients.Count,
        };
        compilation.NotAnsweredPersonIds.AddRange(
            consultation.RecipientPersonIds.Distinct(StringComparer.Ordinal).Where(p => !answered.Contains(p)));
        return compilation;
    }

    /// <summary>A copy for reads: the stored status depends on time and the compilation is never stored, so both are filled here.</summary>
    public static Consultation ForRead(Consultation consultation, DateTimeOffset now)
    {
        var read = consultation.Clone();
        read.Status = StatusAt(consultation, now);
        read.Compilation = Compile(consultation);
        return read;
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static bool IsDecided(Consultation consultation) => consultation.DecidedAt is not null;

    private void RequireAcceptingAnswers(DateTimeOffset now)
    {
        if (IsDecided(State))
        {
            throw new RuleViolationException(Rule, "CONSULTATION_DECIDED",
                "The consultation has been decided; answers are closed.",
                "Việc lấy ý kiến đã có quyết định; không nhận thêm ý kiến.");
        }

        if (now >= State.Deadline.ToInstant())
        {
            throw new RuleViolationException(Rule, "CONSULTATION_CLOSED",
                "The consultation's deadline has passed; answers are closed.",
                "Đã hết thời hạn trả lời xin ý kiến.",
                new Dictionary<string, string> { ["deadline"] = State.Deadline.ToInstant().ToString("O") });
        }
    }

    /// <summary>Thường trực BCĐ's decision is recorded by the Head or the Standing Deputy Head, in person.</summary>
    private static string StandingBoardCapacity(Caller caller, CommitteeView view, DateOnly today)
    {
        var roles = view.Seats
            .Where(s => s.HolderOn(today)?.PersonId == caller.PersonId)
            .Select(s => s.Role)
            .ToHashSet();
        if (roles.Contains(Role.Head))
        {
            return HeadRole;
        }

        if (roles.Contains(Role.StandingDeputyHead))
        {
            return StandingDeputyHeadRole;
        }

        throw new PermissionDeniedException("HEAD_OR_STANDING_DEPUTY_ONLY",
            "Only the Head or the Standing Deputy Head may record the Standing Board's decision.",
            "Chỉ Trưởng Ban hoặc Phó Trưởng Ban Thường trực mới được ghi nhận quyết định của Thường trực Ban Chỉ đạo.", Rule);
    }

    private int IndexOfAnswer(string personId)
    {
        for (var i = 0; i < State.Answers.Count; i++)
        {
            if (State.Answers[i].PersonId == personId)
            {
                return i;
            }
        }

        return -1;
    }

    private void Touch(DateTimeOffset now)
    {
        State.Status = StatusAt(State, now);
        State.Version++;
    }
}
