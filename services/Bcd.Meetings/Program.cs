var app = Bcd.Meetings.MeetingsApp.Create(args);
app.Run();
