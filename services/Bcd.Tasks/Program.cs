var app = Bcd.Tasks.TasksApp.Create(args);
app.Run();
