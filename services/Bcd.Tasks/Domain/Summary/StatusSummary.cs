using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;
using TaskStatus = Bcd.Contracts.Tasks.V1.TaskStatus;

namespace Bcd.Tasks.Domain.Summary;

/// <summary>
/// T3, T5: counts per status of the tasks due in a period, by lead agency and by working group, for the
/// quarterly, six-month and year-end reviews. Statuses are as of the end of the period (or now, if the
/// period has not ended), so a report on a past period reads as it would have on its last day.
/// </summary>
public static class StatusSummary
{
    public const string NoWorkingGroupName = "Không thuộc tổ công tác / No working group";

    /// <summary>The instant the statuses are taken at: now, or the last instant of <paramref name="to"/> in the province if earlier.</summary>
    public static DateTimeOffset AsOf(DateOnly to, DateTimeOffset now)
    {
        var endOfTo = ProvinceTime.StartOfDay(to.AddDays(1)).AddTicks(-1);
        return now < endOfTo ? now : endOfTo;
    }

    /// <summary>
    /// The summary of the <paramref name="tasks"/> whose current deadline lies within [<paramref name="from"/>,
    /// <paramref name="to"/>]. Names come from the dictionaries, falling back to the id.
    /// </summary>
    public static GetStatusSummaryResponse Compute(
        IEnumerable<AssignedTask> tasks,
        DateOnly from,
        DateOnly to,
        DateTimeOffset now,
        IReadOnlyDictionary<string, string> agencyNames,
        IReadOnlyDictionary<string, string> groupNames)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(agencyNames);
        ArgumentNullException.ThrowIfNull(groupNames);
        if (to < from)
        {
            throw new InvalidArgumentException("to",
                $"The period ends ({to:dd/MM/yyyy}) before it starts ({from:dd/MM/yyyy}).",
                $"Ngày kết thúc kỳ ({to:dd/MM/yyyy}) trước ngày bắt đầu ({from:dd/MM/yyyy}).");
        }

        var asOf = AsOf(to, now);
        var total = new StatusCounts();
        var byAgency = new Dictionary<string, StatusCounts>(StringComparer.Ordinal);
        var byGroup = new Dictionary<string, StatusCounts>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (task.Directive?.Deadline is not { } deadline || !deadline.IsValid())
            {
                continue;
            }

            var due = deadline.ToDateOnly();
            if (due < from || due > to)
            {
                continue;
            }

            var status = task.StatusAt(asOf);
            Add(total, status);
            Add(CountsOf(byAgency, task.Directive.LeadAgencyId), status);
            Add(CountsOf(byGroup, task.WorkingGroupId), status);
        }

        var response = new GetStatusSummaryResponse { Total = total, AsOf = Timestamp.FromDateTimeOffset(asOf) };
        response.ByAgency.Add(Rows(byAgency, key => NameOf(agencyNames, key)));
        response.ByWorkingGroup.Add(Rows(byGroup, key => key.Length == 0 ? NoWorkingGroupName : NameOf(groupNames, key)));
        return response;
    }

    private static IEnumerable<SummaryRow> Rows(Dictionary<string, StatusCounts> counts, Func<string, string> nameOf) =>
        counts.Select(c => new SummaryRow { Key = c.Key, Name = nameOf(c.Key), Counts = c.Value })
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ThenBy(r => r.Key, StringComparer.Ordinal);

    private static string NameOf(IReadOnlyDictionary<string, string> names, string key) =>
        names.TryGetValue(key, out var name) && !string.IsNullOrWhiteSpace(name) ? name : key;

    private static StatusCounts CountsOf(Dictionary<string, StatusCounts> counts, string key)
    {
        if (!counts.TryGetValue(key, out var value))
        {
            value = new StatusCounts();
            counts.Add(key, value);
        }

        return value;
    }

    private static void Add(StatusCounts counts, TaskStatus status)
    {
        switch (status)
        {
            case TaskStatus.NotStarted: counts.NotStarted++; break;
            case TaskStatus.InProgressOnTime: counts.InProgressOnTime++; break;
            case TaskStatus.InProgressOverdue: counts.InProgressOverdue++; break;
            case TaskStatus.CompletedOnTime: counts.CompletedOnTime++; break;
            case TaskStatus.CompletedLate: counts.CompletedLate++; break;
            default: throw new InvalidOperationException($"Task status {status} is never computed.");
        }

        counts.Total++;
    }
}
