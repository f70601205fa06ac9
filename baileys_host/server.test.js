import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";

import { handle } from "./server.js";

test("health says ok and that no session is held", async () => {
  const server = createServer(handle).listen(0);
  const { port } = server.address();
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok", sessions: 0, note: "no sessions are held yet" });
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
  } finally {
    server.close();
  }
});
