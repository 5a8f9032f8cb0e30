namespace Bcd.Tasks.Domain;

/// <summary>Section "Tasks" of the configuration.</summary>
public sealed class TasksOptions
{
    public const string Section = "Tasks";

    public ReminderOptions Reminders { get; set; } = new();

    /// <summary>Most rows one CSV import may carry (ImportTasks).</summary>
    public int MaxImportRows { get; set; } = 5000;

    public bool IsValid() =>
        Reminders.DueSoonDays.Count is > 0 and <= 10 &&
        Reminders.DueSoonDays.All(d => d is >= 1 and <= 90) &&
        Reminders.ScanSeconds is >= 1 and <= 3600 &&
        MaxImportRows is >= 1 and <= 100_000;
}

public sealed class ReminderOptions
{
    /// <summary>"Due soon" thresholds in days before the deadline; each is sent once per task.</summary>
    public List<int> DueSoonDays { get; set; } = [];

    /// <summary>How often open tasks are scanned for reminders.</summary>
    public int ScanSeconds { get; set; } = 60;
}
