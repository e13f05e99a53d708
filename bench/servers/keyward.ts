/**
 * Keyward's server as `keyward serve` starts it (same runtime, same app, real clock), over the data folder given as
 * the first argument, or the PostgreSQL database the second names; further NAME=VALUE arguments are settings. Logging is silent: a request log written to the benchmark's terminal would measure the
 * terminal.
 */
import { loadConfig } from "@keyward/server/config";
import { startServer } from "@keyward/server/runtime";
import { reportListening } from "../lib/server-process.ts";

const [dataDir, databaseUrl, ...settings] = process.argv.slice(2);
if (!dataDir) {
  throw new Error('usage: keyward.ts DATA_DIR [DATABASE_URL or ""] [NAME=VALUE…]');
}
/** Further settings a benchmark needs (an SMTP server for the alert benchmark), as NAME=VALUE arguments. */
const extra = Object.fromEntries(
  settings.map((s) => {
    const at = s.indexOf("=");
    return [s.slice(0, at), s.slice(at + 1)];
  }),
);
// why: a literal environment, not process.env, so a DATABASE_URL in the caller's shell cannot move the benchmark off
// the SQLite file it seeded
const config = loadConfig({
  KEYWARD_DATA_DIR: dataDir,
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "silent",
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  ...extra,
});
const server = await startServer(config);
const address = server.app.server.address();
const port = typeof address === "object" && address ? address.port : 0;
// why: 127.0.0.1 rather than the "localhost" of server.url, which Node may resolve to ::1 where nothing listens
reportListening(`http://127.0.0.1:${port}`, () => server.close());
