/**
 * The cabinet protocol (cabinet-sync.ts): enrolment, the signed snapshot, the stream down and the event upload. Every
 * route but enrolment is authenticated by the device's signature over the raw request, so this scope parses JSON
 * itself and keeps the text it parsed.
 */
import {
  AgentPinActivationRequest,
  AgentPinActivationResponse,
  EnrollRequest,
  EnrollResponse,
  PinActivationRefusal,
  SignedSnapshot,
  StreamMessage,
  SyncErrorBody,
  UploadRequest,
  UploadResponse,
} from "@keyward/contracts/cabinet-sync";
import { ErrorBody } from "@keyward/contracts/common";
import type { Executor } from "@keyward/db/connect";
import { chainHeadMessage, checkBatch, commandMessage, signMessage, verifyMessage } from "@keyward/domain/event-chain";
import { checkPin, effectivePinMinLength } from "@keyward/domain/pin-rules";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { addressKey, countAttempt, forgiveAttempt, LOCK_MINUTES, lockedFor } from "../auth/throttle.ts";
import { type AuthenticatedDevice, authenticateDevice, ContactTracker, recordRefusal } from "../cabinet/device-auth.ts";
import { serverKey } from "../cabinet/server-key.ts";
import { currentSnapshotVersion } from "../cabinet/snapshot-version.ts";
import { SyncError } from "../cabinet/sync-errors.ts";
import { activatePin } from "../commands/activate-pin.ts";
import { buildSnapshot } from "../commands/build-snapshot.ts";
import { enrollDevice } from "../commands/enroll-device.ts";
import { ingestEvents, parseEventData } from "../commands/ingest-events.ts";
import { pendingCommands, presentCommand } from "../commands/request-remote-release.ts";
import { ApiError, tooManyAttempts } from "../errors.ts";
import { inTransaction } from "../http/pipeline.ts";
import type { Notification } from "../live/notifier.ts";
import { type OpenStreams, openEventStream, PING_SECONDS } from "../live/sse.ts";
import { organizationSettings, type Services } from "../services.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The cabinet device that signed this request (agent routes only). */
    device: AuthenticatedDevice | null;
    /** The body exactly as received, for the device's signature (agent routes only). */
    rawBody: string;
  }
}

/** Failed enrolments allowed per address before it must wait: the code is the only secret. */
const ENROLL_ADDRESS_CAP = 20;

const syncErrors = { 400: SyncErrorBody, 401: SyncErrorBody, 409: SyncErrorBody };
const security = [{ device: [] }];

function deviceOf(req: FastifyRequest): AuthenticatedDevice {
  if (!req.device) {
    throw new SyncError("unknown_device", "This request is not signed by an enrolled device.");
  }
  return req.device;
}

/**
 * Whether a device may set this PIN credential: it belongs to the device's organization and to a person with an
 * active profile assignment at the device's property (the people its snapshot lists).
 */
async function pinCredentialReachable(
  db: Executor,
  device: AuthenticatedDevice,
  credentialId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("credentials as c")
    .innerJoin("profile_assignments as a", "a.person_id", "c.person_id")
    .select("c.id")
    .where("c.id", "=", credentialId)
    .where("c.kind", "=", "pin")
    .where("c.organization_id", "=", device.organizationId)
    .where("a.organization_id", "=", device.organizationId)
    .where("a.property_id", "=", device.propertyId)
    .where("a.status", "=", "active")
    .executeTakeFirst();
  return row !== undefined;
}

/** Snapshots built per cabinet, kept for their version: a burst of refetches after a change costs one build. */
class SnapshotCache {
  private readonly built = new Map<string, { version: number; snapshot: Promise<SignedSnapshot> }>();

  get(cabinetId: string, version: number, build: () => Promise<SignedSnapshot>): Promise<SignedSnapshot> {
    const hit = this.built.get(cabinetId);
    if (hit && hit.version === version) {
      return hit.snapshot;
    }
    const snapshot = build();
    this.built.set(cabinetId, { version, snapshot });
    snapshot.catch(() => {
      if (this.built.get(cabinetId)?.snapshot === snapshot) {
        this.built.delete(cabinetId);
      }
    });
    return snapshot;
  }
}

export function registerAgentRoutes(app: FastifyInstance, services: Services, streams: OpenStreams): void {
  const contacts = new ContactTracker();
  const snapshots = new SnapshotCache();

  app.withTypeProvider<ZodTypeProvider>().post(
    "/api/v1/agent/enroll",
    {
      config: { public: true },
      schema: {
        tags: ["Agent"],
        summary: "Enrol a cabinet's agent with a one-time code and register its public key",
        security: [],
        body: EnrollRequest,
        response: { 200: EnrollResponse, 400: z.union([SyncErrorBody, ErrorBody]), 429: ErrorBody },
      },
    },
    async (req) => {
      const now = services.now();
      const address = addressKey(`enroll:${req.ip}`);
      const wait = await lockedFor(services.db, address, now);
      if (wait > 0) {
        throw tooManyAttempts(wait);
      }
      // why: counted before the code is checked, so parallel guesses cannot slip past the cap
      if ((await countAttempt(services.db, address, ENROLL_ADDRESS_CAP, now)).refused) {
        throw tooManyAttempts(15 * 60);
      }
      const key = await serverKey(services.db, now);
      const enrolled = await inTransaction(services, (tx) => enrollDevice(tx, req.body, key.publicKey, now));
      await forgiveAttempt(services.db, address);
      return enrolled;
    },
  );

  app.register(async (scope) => {
    scope.decorateRequest("device", null);
    scope.decorateRequest("rawBody", "");
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
      const text = String(body);
      req.rawBody = text;
      try {
        done(null, text.length === 0 ? undefined : JSON.parse(text));
      } catch {
        done(new SyncError("malformed_upload", "The body is not JSON."), undefined);
      }
    });
    // why: before validation, so a stranger's malformed request learns nothing but that it is not signed
    scope.addHook("preValidation", async (req) => {
      const now = services.now();
      req.device = await authenticateDevice(services.db, req, req.rawBody, now);
      await contacts.touch(services.db, req.device, now);
    });
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.get(
      "/api/v1/agent/snapshot",
      {
        config: { public: true },
        schema: {
          tags: ["Agent"],
          summary: "The cabinet's signed snapshot; 204 when `known` is the current version",
          security,
          querystring: z.object({ known: z.coerce.number().int().optional() }),
          response: { 200: SignedSnapshot, 204: z.null(), ...syncErrors },
        },
      },
      async (req, reply) => {
        const device = deviceOf(req);
        const now = services.now();
        const version = await currentSnapshotVersion(services.db, device.organizationId, device.propertyId);
        // why: only equal is current; a cabinet that knows a higher version holds one from before a restore of this
        // database, and needs the version in force here
        if (req.query.known !== undefined && req.query.known === version) {
          return reply.code(204).send(null);
        }
        const key = await serverKey(services.db, now);
        return snapshots.get(device.cabinetId, version, () => {
          let t = services.db.transaction();
          if (services.handle.dialect === "postgres") {
            // why: the version and every row it covers must come from one moment
            t = t.setIsolationLevel("repeatable read");
          }
          return t.execute((tx) => buildSnapshot(tx, device, key, now));
        });
      },
    );

    r.get(
      "/api/v1/agent/stream",
      {
        config: { public: true },
        schema: {
          tags: ["Agent"],
          summary: "Server-Sent Events: hello, pending commands, new snapshot versions, commands, pings",
          security,
          response: { 200: StreamMessage, ...syncErrors },
        },
      },
      async (req, reply) => {
        const device = deviceOf(req);
        const db = services.db;
        let helloSent = false;
        const held: Notification[] = [];
        let lastVersion = 0;
        const sendVersion = async () => {
          const version = await currentSnapshotVersion(db, device.organizationId, device.propertyId);
          if (version > lastVersion) {
            lastVersion = version;
            stream.send({ type: "snapshot", version });
          }
        };
        const sentCommands = new Set<string>();
        const sendCommands = async (commandId?: string) => {
          const current = await db
            .selectFrom("cabinet_devices")
            .select("status")
            .where("id", "=", device.id)
            .executeTakeFirst();
          // why: a device retired by a re-enrolment gets no say over the door, even on a stream opened before
          if (current?.status !== "active") {
            stream.close();
            return;
          }
          const pending = await pendingCommands(db, device, services.now(), commandId);
          const key = pending.length > 0 ? await serverKey(db, services.now()) : null;
          for (const command of pending) {
            if (key && !sentCommands.has(command.id)) {
              sentCommands.add(command.id);
              const presented = presentCommand(command);
              // why: the agent opens the door only on a command the server key vouches for, whatever the transport
              stream.send({
                type: "command",
                command: presented,
                signature: signMessage(key.secretKey, commandMessage(presented)),
              });
            }
          }
        };
        const handle = async (n: Notification) => {
          if (
            n.channel === "snapshot" &&
            n.organizationId === device.organizationId &&
            (n.propertyIds === null || n.propertyIds.includes(device.propertyId))
          ) {
            // why: the version is read, not carried: it is per property, and a later read is never older
            await sendVersion();
          } else if (n.channel === "command" && n.cabinetId === device.cabinetId) {
            await sendCommands(n.commandId);
          } else if (n.channel === "resync") {
            // why: notifications sent while the listener was away are lost; commands are state, re-read them too
            await sendVersion();
            await sendCommands();
          }
        };
        const listener = (n: Notification) => {
          if (!helloSent) {
            held.push(n);
            return;
          }
          handle(n).catch((error: unknown) => req.log.warn({ err: error }, "cabinet stream message lost"));
        };
        const unsubscribe = services.notifier.subscribe(listener);
        const ping = setInterval(() => {
          const now = services.now();
          stream.send({ type: "ping", serverTime: now.toISOString() });
          contacts.touch(db, device, now).catch(() => {});
        }, PING_SECONDS * 1000);
        ping.unref();
        const stream = openEventStream(req, reply, streams, () => {
          clearInterval(ping);
          unsubscribe();
        });
        // why: subscribed before reading the version, so a change in between is either in it or heard after it
        lastVersion = await currentSnapshotVersion(db, device.organizationId, device.propertyId);
        stream.send({ type: "hello", snapshotVersion: lastVersion, serverTime: services.now().toISOString() });
        await sendCommands();
        helloSent = true;
        for (const n of held.splice(0)) {
          await handle(n);
        }
      },
    );

    r.post(
      "/api/v1/agent/events",
      {
        config: { public: true },
        // why: a malformed upload is answered in the protocol's own terms (`malformed_upload`), and logged
        attachValidation: true,
        schema: {
          tags: ["Agent"],
          summary: "Upload chained, signed cabinet events; each (device, seq) is stored once",
          security,
          body: UploadRequest,
          response: { 200: UploadResponse, ...syncErrors },
        },
      },
      async (req) => {
        const device = deviceOf(req);
        const now = services.now();
        try {
          if (req.validationError) {
            throw new SyncError("malformed_upload", `The upload is malformed: ${req.validationError.message}`);
          }
          const { events, headSignature } = req.body;
          const data = parseEventData(events);
          const problem = checkBatch(device.id, events);
          if (problem) {
            throw problem.problem === "bad_hash"
              ? new SyncError("bad_hash", `Event ${problem.seq}'s hash does not match its contents.`)
              : problem.problem === "fork"
                ? new SyncError("chain_fork", `Event ${problem.seq} does not continue the event before it.`)
                : new SyncError("malformed_upload", `Event ${problem.seq} does not follow the event before it.`);
          }
          const last = events[events.length - 1];
          if (
            !last ||
            !verifyMessage(device.publicKey, chainHeadMessage(device.id, last.seq, last.hash), headSignature)
          ) {
            throw new SyncError("bad_signature", "The chain head's signature does not verify with this device's key.");
          }
          return await inTransaction(services, (tx) =>
            ingestEvents(tx, services.handle.dialect, device, events, data, now, headSignature),
          );
        } catch (error) {
          if (error instanceof SyncError) {
            await recordRefusal(services.db, device, error, req, now);
          }
          throw error;
        }
      },
    );
    r.post(
      "/api/v1/agent/pin-activations",
      {
        config: { public: true },
        schema: {
          tags: ["Agent"],
          summary: "A person chose their PIN at the cabinet with their one-time activation code",
          security,
          body: AgentPinActivationRequest,
          response: {
            200: AgentPinActivationResponse,
            400: z.union([PinActivationRefusal, SyncErrorBody, ErrorBody]),
            401: SyncErrorBody,
            429: PinActivationRefusal,
          },
        },
      },
      async (req, reply) => {
        const device = deviceOf(req);
        const now = services.now();
        const { credentialId, pin } = req.body;
        const wrongCode = {
          code: "activation_code_invalid" as const,
          message: "This activation code is not valid for this PIN, or it has expired; ask your manager for a new one.",
        };
        // why: one answer for a credential this cabinet may not reach and a wrong code, so a cabinet learns nothing
        // about another organization's credentials, and its guesses cannot lock their activation either
        if (!(await pinCredentialReachable(services.db, device, credentialId))) {
          return reply.code(400).send(wrongCode);
        }
        try {
          await activatePin(services.db, req.body, now, services.notifier);
          return { ok: true as const };
        } catch (error) {
          if (!(error instanceof ApiError)) {
            throw error;
          }
          if (error.code === "too_many_attempts") {
            const wait = await lockedFor(services.db, `pin-activation:${credentialId}`, now);
            return reply.code(429).send({
              code: "too_many_attempts",
              message: error.message,
              retryAfterSeconds: wait > 0 ? wait : LOCK_MINUTES * 60,
            });
          }
          if (error.code === "invalid_input" && error.field === "pin") {
            const { pinMinLength } = await organizationSettings(services.db, device.organizationId);
            return reply.code(400).send({
              code: "pin_rejected",
              message: error.message,
              problem: checkPin(pin, pinMinLength) ?? undefined,
              minLength: effectivePinMinLength(pinMinLength),
            });
          }
          if (error.code === "invalid_input") {
            return reply.code(400).send(wrongCode);
          }
          throw error;
        }
      },
    );
  });
}
