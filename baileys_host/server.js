// The Baileys host, for now only its health endpoint: it holds no WhatsApp sessions yet.
import { createServer } from "node:http";

export function handle(request, response) {
  if (request.method === "GET" && request.url === "/health") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ status: "ok", sessions: 0, note: "no sessions are held yet" }));
    return;
  }
  response.writeHead(404, { "content-type": "application/json" });
  response.end(JSON.stringify({ status: 404, title: "Not Found" }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000);
  const server = createServer(handle).listen(port, "0.0.0.0", () => console.log(`baileys_host listening on ${port}`));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
