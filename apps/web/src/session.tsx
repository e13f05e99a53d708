/**
 * The signed-in session as every screen needs it: who the user is, the resolver's actor built from /auth/me, and the
 * property the user is working in (one login spans every property they hold a role at).
 */
import { type Action, type Actor, can as canDo, type Entity, propertiesWhere } from "@keyward/domain/permissions";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { api } from "./api.ts";
import { BROWSER_TIME_ZONE } from "./format.ts";
import type { Me, MeProperty } from "./types.ts";

const STORAGE_KEY = "keyward.property";
const ALL = "all";

export interface Session {
  me: Me;
  actor: Actor;
  /** Properties the user may work in, by name. */
  properties: MeProperty[];
  /** The chosen property, or null for "All properties". */
  propertyId: string | null;
  property: MeProperty | null;
  setPropertyId: (id: string | null) => void;
  /** Whether "All properties" is offered: only to users with an organization-wide role. */
  canChooseAll: boolean;
  /** The time zone to show a record's times in: its property's, else the chosen property's, else the browser's. */
  zoneOf: (propertyId?: string | null) => string;
  propertyName: (propertyId: string | null | undefined) => string;
  /** The resolver itself: may the user do this to an entity at this property (null: organization level)? */
  can: (action: Action, entity: Entity, propertyId: string | null) => boolean;
  /** Properties where the user may do this; the target choices of a create form. */
  propertiesWhere: (action: Action, entity: Entity) => MeProperty[];
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** The actor the shared resolver expects, from what /auth/me says. */
export function actorOf(me: Me): Actor {
  return {
    userId: me.user.id,
    personId: me.person.id,
    organizationId: me.organization.id,
    organizationRoles: me.organizationRoles,
    propertyRoles: Object.fromEntries(me.properties.map((p) => [p.id, p.roles])),
    // why: /auth/me expands region roles into properties[].roles already; regions matter only to region records
    regionRoles: {},
  };
}

function initialChoice(me: Me): string | null {
  const stored = localStorage.getItem(STORAGE_KEY);
  const canAll = me.organizationRoles.length > 0;
  if (stored === ALL && canAll) {
    return null;
  }
  if (stored && me.properties.some((p) => p.id === stored)) {
    return stored;
  }
  return canAll ? null : (me.properties[0]?.id ?? null);
}

/** Provides the session to the signed-in part of the dashboard. */
export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [propertyId, setChoice] = useState<string | null>(() => initialChoice(me));
  const setPropertyId = useCallback((id: string | null) => {
    localStorage.setItem(STORAGE_KEY, id ?? ALL);
    setChoice(id);
  }, []);
  const signOut = useCallback(async () => {
    await api.post("auth/logout");
    // why: setting "me" first swaps the shell for sign-in; only then is the signed-in cache dropped, so no screen
    // refetches with a dead session (clear() first would detach the observer of "me" and leave the shell showing)
    queryClient.setQueryData(["me"], null);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" && q.queryKey[0] !== "setup" });
  }, [queryClient]);

  const session = useMemo<Session>(() => {
    const actor = actorOf(me);
    const byId = new Map(me.properties.map((p) => [p.id, p]));
    const property = propertyId ? (byId.get(propertyId) ?? null) : null;
    return {
      me,
      actor,
      properties: me.properties,
      propertyId,
      property,
      setPropertyId,
      canChooseAll: me.organizationRoles.length > 0,
      zoneOf: (id) => (id ? byId.get(id)?.timeZone : undefined) ?? property?.timeZone ?? BROWSER_TIME_ZONE,
      propertyName: (id) => (id ? (byId.get(id)?.name ?? "Another property") : "Organization-wide"),
      can: (action, entity, pid) =>
        canDo(actor, action, { entity, organizationId: actor.organizationId, propertyId: pid }),
      propertiesWhere: (action, entity) => {
        const where = propertiesWhere(actor, action, entity);
        return where === "all" ? me.properties : me.properties.filter((p) => where.includes(p.id));
      },
      signOut,
    };
  }, [me, propertyId, setPropertyId, signOut]);

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The current session; only inside the signed-in shell. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) {
    throw new Error("useSession() is used outside the signed-in dashboard");
  }
  return session;
}
