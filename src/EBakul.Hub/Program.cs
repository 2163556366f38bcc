using EBakul.Hub.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEBakulHub();
var app = builder.Build();
app.MapEBakulHub();
await app.RunHubAsync(args);

/// <summary>The hub's entry point (public for WebApplicationFactory-based tests).</summary>
public partial class Program;
