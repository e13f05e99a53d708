/**
 * The kiosk's HTTP side (`@keyward/contracts/kiosk`): the state, its live stream, the person's touches, the
 * simulator panel's actions, and the kiosk's static build. Bound to 127.0.0.1 unless told otherwise: the console's
 * browser runs on the cabinet's own computer.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import { KioskAction, type KioskState, SimulatorAction } from "@keyward/contracts/kiosk";
import Fastify, { type FastifyInstance } from "fastify";
import { SimulatorRefusal } from "./simulated-driver.ts";

/** What the kiosk server serves. */
export interface KioskBackend {
  state(): KioskState;
  act(action: KioskAction): Promise<KioskState>;
  /** Null when the driver is not simulated (the simulator route then answers 404). */
  simulate: ((action: SimulatorAction) => Promise<KioskState>) | null;
  subscribe(listener: (state: KioskState) => void): () => void;
}

export interface KioskServerOptions {
  backend: KioskBackend;
  /** The kiosk's build (apps/kiosk/dist). */
  kioskDist: string;
  /** The address the server listens on (127.0.0.1 when not given): requests must name it, or a loopback name. */
  listenHost?: string;
}

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

/** The host name of a Host header, without the port and IPv6 brackets, lower case. */
function hostNameOf(header: string | undefined): string {
  const value = (header ?? "").trim().toLowerCase();
  if (value.startsWith("[")) {
    return value.slice(1, value.indexOf("]"));
  }
  return value.replace(/:\d+$/, "");
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether a request's Host header names this kiosk. why: the kiosk has no sign-in (the cabinet's own screen is its
 * only user); a web page elsewhere that rebinds its DNS name to 127.0.0.1 must not drive the cabinet from the
 * console's browser, and its requests carry that page's name, not ours.
 */
export function hostAllowed(header: string | undefined, listenHost: string): boolean {
  const host = hostNameOf(header);
  const bound = hostNameOf(listenHost);
  if (isLoopback(host) || host === bound) {
    return true;
  }
  // why: listening on every interface (a demo shown on a network), the kiosk cannot know the names it is reached by
  return WILDCARDS.has(bound);
}

const MISSING_BUILD =
  "The kiosk has not been built yet. Run `npm run build` in the Keyward folder, then reload this page.\n";

/** Builds the kiosk server (not yet listening). */
export async function buildKioskServer({
  backend,
  kioskDist,
  listenHost = "127.0.0.1",
}: KioskServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.addHook("onRequest", async (request, reply) => {
    if (!hostAllowed(request.headers.host, listenHost)) {
      await reply.code(421).type("text/plain").send("This kiosk answers only at its own address.\n");
    }
  });
  const open = new Set<() => void>();
  app.addHook("onClose", async () => {
    for (const end of open) {
      end();
    }
  });

  app.get("/api/kiosk/state", async () => backend.state());

  app.get("/api/kiosk/stream", (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const send = (state: KioskState) => res.write(`data: ${JSON.stringify(state)}\n\n`);
    send(backend.state());
    const unsubscribe = backend.subscribe(send);
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    const end = () => {
      clearInterval(ping);
      unsubscribe();
      open.delete(end);
      res.end();
    };
    open.add(end);
    request.raw.on("close", end);
  });

  app.post("/api/kiosk/actions", async (request, reply) => {
    const parsed = KioskAction.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ code: "invalid_input", message: parsed.error.message });
    }
    return backend.act(parsed.data);
  });

  app.post("/api/simulator", async (request, reply) => {
    if (backend.simulate === null) {
      return reply.code(404).send({ code: "not_found", message: "This cabinet is not simulated." });
    }
    const parsed = SimulatorAction.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ code: "invalid_input", message: parsed.error.message });
    }
    try {
      return await backend.simulate(parsed.data);
    } catch (error) {
      if (error instanceof SimulatorRefusal) {
        return reply.code(409).send({ code: "conflict", message: error.message });
      }
      throw error;
    }
  });

  if (existsSync(join(kioskDist, "index.html"))) {
    await app.register(fastifyStatic, { root: kioskDist, wildcard: false });
    app.setNotFoundHandler((request, reply) => {
      if (request.method !== "GET" || request.url.startsWith("/api/")) {
        return reply.code(404).send({ code: "not_found", message: "No such route." });
      }
      // why: the kiosk is a single-page app; any other path is one of its screens
      return reply.sendFile("index.html");
    });
  } else {
    app.get("/", async (_request, reply) => reply.code(503).type("text/plain; charset=utf-8").send(MISSING_BUILD));
  }
  return app;
}
