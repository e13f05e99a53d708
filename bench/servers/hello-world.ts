/**
 * The machine's own limit for HTTP work: a bare Fastify that answers GET / with {"hello":"world"} and does nothing
 * else (no logging, no plugins). It is the same Fastify the server runs on (npm hoists it to the root), so the ratio
 * of a Keyward route to it is the share of the machine's HTTP capacity that route keeps.
 */
import Fastify from "fastify";
import { reportListening } from "../lib/server-process.ts";

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
const port = typeof address === "object" && address ? address.port : 0;
reportListening(`http://127.0.0.1:${port}`, () => app.close());
