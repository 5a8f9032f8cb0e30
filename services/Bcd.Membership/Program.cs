var app = Bcd.Membership.MembershipApp.Create(args);
app.Run();
