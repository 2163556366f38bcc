using EBakul.Hub.Hosting;

// Settings (appsettings.json) are read from the application's folder, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddEBakulHub();
var app = builder.Build();
app.MapEBakulHub();
await app.RunHubAsync(args);

/// <summary>The hub's entry point (public for WebApplicationFactory-based tests).</summary>
public partial class Program;
