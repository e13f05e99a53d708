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
}

const MISSING_BUILD =
  "The kiosk has not been built yet. Run `npm run build` in the Keyward folder, then reload this page.\n";

/** Builds the kiosk server (not yet listening). */
export async function buildKioskServer({ backend, kioskDist }: KioskServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
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
