using EBakul.EtppSimulator;

var app = EtppSimulatorApp.Create(args);
app.Run();
