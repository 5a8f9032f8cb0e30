var app = Bcd.Gateway.GatewayApp.Create(args);
app.Run();
