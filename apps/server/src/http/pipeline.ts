/**
 * The pieces every route pipeline is made of: authenticate → validate (Fastify, from the Zod schemas) → transaction
 * → load → authorize → command → present.
 */
import type { Tx } from "@keyward/db/connect";
import { type Action, can, type Entity } from "@keyward/domain/permissions";
import type { FastifyRequest } from "fastify";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, notFound, totpEnrollmentRequired, unauthenticated } from "../errors.ts";
import { collectNotifications } from "../live/after-commit.ts";
import type { Notification } from "../live/notifier.ts";
import type { Services } from "../services.ts";

declare module "fastify" {
  interface FastifyRequest {
    actor: AuthenticatedActor | null;
  }
  interface FastifyContextConfig {
    /** A route anyone may call (sign-in, first-run set-up, health). */
    public?: boolean;
    /** A route a restricted session (TOTP enrolment outstanding) may call. */
    allowRestricted?: boolean;
  }
}

/** The signed-in actor, or a 401. */
export function actorOf(req: FastifyRequest): AuthenticatedActor {
  if (!req.actor) {
    throw unauthenticated();
  }
  if (req.actor.restricted && !req.routeOptions.config.allowRestricted) {
    throw totpEnrollmentRequired();
  }
  return req.actor;
}

/**
 * Runs a command in one transaction: its changes and its events commit together. The notifications it queued
 * (`afterCommit`) go out once the commit succeeded, never before and never after a rollback.
 */
export async function inTransaction<T>(
  services: Pick<Services, "db" | "notifier">,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  let notifications: Notification[] = [];
  const result = await services.db.transaction().execute((tx) => {
    notifications = collectNotifications(tx);
    return work(tx);
  });
  if (notifications.length > 0) {
    await services.notifier.publish(notifications);
  }
  return result;
}

/**
 * Authorizes an act on a loaded resource. A resource the actor may not even read answers 404, exactly as if it did
 * not exist (no probing of other tenants or properties); one they may read but not change answers 403.
 */
export function authorize(
  actor: AuthenticatedActor,
  action: Action,
  resource: { entity: Entity; organizationId: string; propertyId: string | null; regionId?: string | null },
  what: string,
): void {
  if (can(actor, action, resource)) {
    return;
  }
  if (action !== "read" && can(actor, "read", resource)) {
    throw forbidden(`${action} this ${what}`);
  }
  throw notFound(what);
}
