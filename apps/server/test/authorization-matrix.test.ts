/**
 * The authorization matrix, in the manner of OWASP's authorization testing automation: every route of the API, for
 * every role, against a record of the actor's own property, of another property of the same organization, and of
 * another organization. The expected answers live in one table; the route list comes from the server itself, and a
 * route the table does not name fails the suite.
 *
 * Who acts (all in organization A): administrator, executive and auditor hold their role organization-wide; the
 * regional manager holds it for region R1, which holds property P1; everyone else holds their role at P1.
 * Targets: "own" is a record of P1 (for regions: R1; for organization-level records: one of organization A);
 * "otherProperty" one of P2 (region R2) of organization A; "otherOrganization" one of organization B.
 *
 * Rules the table encodes: a record the actor may not read answers 404 with no side effect; one they may read but
 * not change answers 403. A create naming another organization's property answers 400, exactly as an unknown
 * property id does — answering anything else would tell a probe which ids exist elsewhere.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ROLES, type Role } from "@keyward/domain/permissions";
import { sql } from "kysely";
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditPass } from "../src/audit/audit-worker.ts";
import { signCheckpointIfDue } from "../src/audit/sign-checkpoint.ts";
import { loose, type TableName } from "../src/resources/records.ts";
import { insertAlert, insertDelivery } from "./alert-factory.ts";
import { countOf, rowOf } from "./db-probes.ts";
import { TestDevice } from "./device.ts";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { type ApiClient, type ApiResponse, startTestServer, type TestServer } from "./harness.ts";

type Status = 200 | 201 | 400 | 401 | 403 | 404 | 409;
/** Expected answers: [own property, another property of the organization, another organization]; null: no such target. */
type Expected = readonly [own: Status, otherProperty: Status | null, otherOrganization: Status | null];

// ------------------------------------------------------------------------------------------------- the matrix

const MATRIX = {
  "GET /api/health": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "GET /api/openapi.json": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "GET /api/v1/setup": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "POST /api/v1/setup": {
    administrator: [409, null, null],
    executive: [409, null, null],
    regional_manager: [409, null, null],
    property_manager: [409, null, null],
    office_staff: [409, null, null],
    maintenance_supervisor: [409, null, null],
    technician: [409, null, null],
    vendor: [409, null, null],
    auditor: [409, null, null],
  },
  "POST /api/v1/auth/login": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "POST /api/v1/auth/logout": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "GET /api/v1/auth/me": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "POST /api/v1/auth/totp/setup": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  // a wrong code: the route is reached (not 401/403) and changes nothing
  "POST /api/v1/auth/totp/confirm": {
    administrator: [400, null, null],
    executive: [400, null, null],
    regional_manager: [400, null, null],
    property_manager: [400, null, null],
    office_staff: [400, null, null],
    maintenance_supervisor: [400, null, null],
    technician: [400, null, null],
    vendor: [400, null, null],
    auditor: [400, null, null],
  },
  "POST /api/v1/auth/totp/disable": {
    administrator: [400, null, null],
    executive: [400, null, null],
    regional_manager: [400, null, null],
    property_manager: [400, null, null],
    office_staff: [400, null, null],
    maintenance_supervisor: [400, null, null],
    technician: [400, null, null],
    vendor: [400, null, null],
    auditor: [400, null, null],
  },
  // public: the activation code is the authority, so a wrong one answers the same for every credential anywhere
  "POST /api/v1/pin-activations": {
    administrator: [400, 400, 400],
    executive: [400, 400, 400],
    regional_manager: [400, 400, 400],
    property_manager: [400, 400, 400],
    office_staff: [400, 400, 400],
    maintenance_supervisor: [400, 400, 400],
    technician: [400, 400, 400],
    vendor: [400, 400, 400],
    auditor: [400, 400, 400],
  },
  "GET /api/v1/organization": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "PATCH /api/v1/organization": {
    administrator: [200, null, null],
    executive: [403, null, null],
    regional_manager: [403, null, null],
    property_manager: [403, null, null],
    office_staff: [403, null, null],
    maintenance_supervisor: [403, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [403, null, null],
  },
  "GET /api/v1/regions": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [200, null, null],
  },
  "POST /api/v1/regions": {
    administrator: [201, null, null],
    executive: [201, null, null],
    regional_manager: [403, null, null],
    property_manager: [403, null, null],
    office_staff: [403, null, null],
    maintenance_supervisor: [403, null, null],
    technician: [404, null, null],
    vendor: [404, null, null],
    auditor: [403, null, null],
  },
  "GET /api/v1/regions/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 200, 404],
    property_manager: [200, 200, 404],
    office_staff: [200, 200, 404],
    maintenance_supervisor: [200, 200, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/regions/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [403, 403, 404],
    property_manager: [403, 403, 404],
    office_staff: [403, 403, 404],
    maintenance_supervisor: [403, 403, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/properties": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [200, 200, 200],
    auditor: [200, 200, 200],
  },
  // targets: a new property in region R1, in R2, in organization B's region
  "POST /api/v1/properties": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [403, 403, 403],
    property_manager: [403, 403, 403],
    office_staff: [403, 403, 403],
    maintenance_supervisor: [403, 403, 403],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [403, 403, 403],
  },
  "GET /api/v1/properties/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [200, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/properties/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [403, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/buildings": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/buildings": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [403, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/buildings/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/buildings/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/units": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/units": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [403, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/units/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/units/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/key-sets": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/key-sets": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [201, 404, 400],
    technician: [403, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/key-sets/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/key-sets/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/keys": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/keys": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [201, 404, 400],
    technician: [403, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/keys/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/keys/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/cabinets": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/cabinets": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [403, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/cabinets/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/cabinets/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/cabinets/:id/hooks": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/cabinets/:id/hooks/:number": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/people": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/people": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [404, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/people/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/people/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/people/:id/deactivate": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/people/:id/reactivate": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/people/:id/credentials": {
    administrator: [201, 201, 404],
    executive: [201, 201, 404],
    regional_manager: [201, 404, 404],
    property_manager: [201, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [201, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/credentials": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "GET /api/v1/credentials/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/credentials/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/credentials/:id/reset-pin": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/users": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [403, 403, 403],
    maintenance_supervisor: [403, 403, 403],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  // targets: a login for a person of P1, of P2, of organization B
  "POST /api/v1/users": {
    administrator: [201, 201, 404],
    executive: [201, 201, 404],
    regional_manager: [201, 404, 404],
    property_manager: [201, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/users/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/users/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/users/:id/deactivate": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/users/:id/reactivate": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/role-assignments": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  // targets: technician at P1, at P2, at organization B's property, for a person of that property
  "POST /api/v1/role-assignments": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [404, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/role-assignments/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/role-assignments/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/access-profiles": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/access-profiles": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [404, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/access-profiles/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/access-profiles/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/profile-assignments": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/profile-assignments": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [201, 404, 400],
    technician: [404, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/profile-assignments/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/profile-assignments/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/holiday-calendars": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "POST /api/v1/holiday-calendars": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [403, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [403, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  "GET /api/v1/holiday-calendars/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "PATCH /api/v1/holiday-calendars/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/reason-codes": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  "POST /api/v1/reason-codes": {
    administrator: [201, null, null],
    executive: [201, null, null],
    regional_manager: [403, null, null],
    property_manager: [403, null, null],
    office_staff: [403, null, null],
    maintenance_supervisor: [403, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [403, null, null],
  },
  "GET /api/v1/reason-codes/:id": {
    administrator: [200, null, 404],
    executive: [200, null, 404],
    regional_manager: [200, null, 404],
    property_manager: [200, null, 404],
    office_staff: [200, null, 404],
    maintenance_supervisor: [200, null, 404],
    technician: [200, null, 404],
    vendor: [200, null, 404],
    auditor: [200, null, 404],
  },
  "PATCH /api/v1/reason-codes/:id": {
    administrator: [200, null, 404],
    executive: [200, null, 404],
    regional_manager: [403, null, 404],
    property_manager: [403, null, 404],
    office_staff: [403, null, 404],
    maintenance_supervisor: [403, null, 404],
    technician: [403, null, 404],
    vendor: [403, null, 404],
    auditor: [403, null, 404],
  },
  "GET /api/v1/events": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  "GET /api/v1/events/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  // targets: ?propertyId= of P1, P2, B's property; a vendor sees the property but none of what it counts
  "GET /api/v1/overview": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [403, 404, 404],
    auditor: [200, 200, 404],
  },
  // the property is the addressed record: readable but not importable answers 403
  "POST /api/v1/properties/:id/import/:kind": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [403, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/properties/:id/export/:kind": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [403, 404, 404],
    auditor: [200, 200, 404],
  },
  // public: the code is the authority, so a wrong one answers the same to everyone
  "POST /api/v1/agent/enroll": {
    administrator: [400, null, null],
    executive: [400, null, null],
    regional_manager: [400, null, null],
    property_manager: [400, null, null],
    office_staff: [400, null, null],
    maintenance_supervisor: [400, null, null],
    technician: [400, null, null],
    vendor: [400, null, null],
    auditor: [400, null, null],
  },
  // a device's signature authenticates these, not a session: a browser holding one is an unknown device
  "GET /api/v1/agent/snapshot": {
    administrator: [401, null, null],
    executive: [401, null, null],
    regional_manager: [401, null, null],
    property_manager: [401, null, null],
    office_staff: [401, null, null],
    maintenance_supervisor: [401, null, null],
    technician: [401, null, null],
    vendor: [401, null, null],
    auditor: [401, null, null],
  },
  "GET /api/v1/agent/stream": {
    administrator: [401, null, null],
    executive: [401, null, null],
    regional_manager: [401, null, null],
    property_manager: [401, null, null],
    office_staff: [401, null, null],
    maintenance_supervisor: [401, null, null],
    technician: [401, null, null],
    vendor: [401, null, null],
    auditor: [401, null, null],
  },
  "POST /api/v1/agent/pin-activations": {
    administrator: [401, null, null],
    executive: [401, null, null],
    regional_manager: [401, null, null],
    property_manager: [401, null, null],
    office_staff: [401, null, null],
    maintenance_supervisor: [401, null, null],
    technician: [401, null, null],
    vendor: [401, null, null],
    auditor: [401, null, null],
  },
  "POST /api/v1/agent/events": {
    administrator: [401, null, null],
    executive: [401, null, null],
    regional_manager: [401, null, null],
    property_manager: [401, null, null],
    office_staff: [401, null, null],
    maintenance_supervisor: [401, null, null],
    technician: [401, null, null],
    vendor: [401, null, null],
    auditor: [401, null, null],
  },
  "POST /api/v1/cabinets/:id/enrollment-codes": {
    administrator: [201, 201, 404],
    executive: [201, 201, 404],
    regional_manager: [201, 404, 404],
    property_manager: [201, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/cabinets/:id/remote-release": {
    administrator: [201, 201, 404],
    executive: [201, 201, 404],
    regional_manager: [201, 404, 404],
    property_manager: [201, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "POST /api/v1/cabinets/:id/alarms/acknowledge": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  "GET /api/v1/cabinets/:id/remote-releases/:commandId": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  "GET /api/v1/checkouts": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [200, 200, 200],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  // targets: ?propertyId= of P1, P2, B's property; a vendor sees the property but none of its cabinets
  "GET /api/v1/cabinet-states": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [200, 404, 404],
    vendor: [403, 404, 404],
    auditor: [200, 200, 404],
  },
  // a stream of "refetch" hints, filtered per message to what the role may read
  "GET /api/v1/live": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  // a unit's evidence packet: whoever reads the unit's events; a unit they may see but whose history they may not, 403
  "GET /api/v1/units/:id/evidence-packet": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [403, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  // the organization's audit trail: organization-scoped roles that oversee it; others are told they may not
  "GET /api/v1/audit/status": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [403, null, null],
    property_manager: [403, null, null],
    office_staff: [403, null, null],
    maintenance_supervisor: [403, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [200, null, null],
  },
  // the latest signed checkpoint, as text
  "GET /api/v1/audit/checkpoint": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [403, null, null],
    property_manager: [403, null, null],
    office_staff: [403, null, null],
    maintenance_supervisor: [403, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [200, null, null],
  },
  // a verification run now: whoever may see the trail may check it
  "POST /api/v1/audit/verifications": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [403, null, null],
    property_manager: [403, null, null],
    office_staff: [403, null, null],
    maintenance_supervisor: [403, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [200, null, null],
  },
  // the report catalog: whoever may read reports somewhere; technicians and vendors run none
  "GET /api/v1/reports": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [200, null, null],
  },
  // a report of one property: its readers; another property's answers as if it did not exist
  "GET /api/v1/reports/:name": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 404],
  },
  // report schedules: whoever may read them somewhere (office staff and technicians schedule nothing)
  "GET /api/v1/report-schedules": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [403, 403, 403],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  // a schedule at the target's property: its managers; readers who may not schedule get 403
  "POST /api/v1/report-schedules": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [201, 404, 400],
    property_manager: [201, 404, 400],
    office_staff: [404, 404, 400],
    maintenance_supervisor: [403, 404, 400],
    technician: [404, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  // the target property's "Daily keys out" schedule, made with the property
  "GET /api/v1/report-schedules/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  // renaming it
  "PATCH /api/v1/report-schedules/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // its deliveries: whoever may read the schedule
  "GET /api/v1/report-schedules/:id/deliveries": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  // sending it now: whoever may change it
  "POST /api/v1/report-schedules/:id/send-now": {
    administrator: [201, 201, 404],
    executive: [201, 201, 404],
    regional_manager: [201, 404, 404],
    property_manager: [201, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // retrying its failed delivery: whoever may change it
  "POST /api/v1/report-schedules/:id/deliveries/:deliveryId/retry": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // alerts: whoever may read them somewhere (technicians and vendors are told of none); a property's staff see its own
  "GET /api/v1/alerts": {
    administrator: [200, 200, 200],
    executive: [200, 200, 200],
    regional_manager: [200, 200, 200],
    property_manager: [200, 200, 200],
    office_staff: [200, 200, 200],
    maintenance_supervisor: [200, 200, 200],
    technician: [403, 403, 403],
    vendor: [403, 403, 403],
    auditor: [200, 200, 200],
  },
  // an open alert at the target's property
  "GET /api/v1/alerts/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  // a fresh open alert each call: whoever may act on alerts there (the front desk too); an auditor only reads
  "POST /api/v1/alerts/:id/acknowledge": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // a fresh open alert each call
  "POST /api/v1/alerts/:id/resolve": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // a failed e-mail of a fresh alert each call: whoever may act on the alert
  "POST /api/v1/alert-deliveries/:id/retry": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // the target property's alert rules: whoever may read them there
  "GET /api/v1/alert-rules": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [200, 404, 404],
    maintenance_supervisor: [200, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  // changing one: the property's managers; staff who only read them get 403
  "PUT /api/v1/alert-rules/:kind": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [200, 404, 404],
    property_manager: [200, 404, 404],
    office_staff: [403, 404, 404],
    maintenance_supervisor: [403, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // webhook endpoints: organization business (administrators and executives manage them, auditors read them)
  "GET /api/v1/webhooks": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [403, null, null],
    property_manager: [403, null, null],
    office_staff: [403, null, null],
    maintenance_supervisor: [403, null, null],
    technician: [403, null, null],
    vendor: [403, null, null],
    auditor: [200, null, null],
  },
  // an endpoint for the target's property
  "POST /api/v1/webhooks": {
    administrator: [201, 201, 400],
    executive: [201, 201, 400],
    regional_manager: [404, 404, 400],
    property_manager: [404, 404, 400],
    office_staff: [404, 404, 400],
    maintenance_supervisor: [404, 404, 400],
    technician: [404, 404, 400],
    vendor: [404, 404, 400],
    auditor: [403, 403, 400],
  },
  // the target property's endpoint, renamed
  "PATCH /api/v1/webhooks/:id": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [404, 404, 404],
    property_manager: [404, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // a new secret for it
  "POST /api/v1/webhooks/:id/rotate-secret": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [404, 404, 404],
    property_manager: [404, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // a test message queued to it
  "POST /api/v1/webhooks/:id/ping": {
    administrator: [201, 201, 404],
    executive: [201, 201, 404],
    regional_manager: [404, 404, 404],
    property_manager: [404, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [403, 403, 404],
  },
  // its delivery log: whoever may read the endpoint
  "GET /api/v1/webhooks/:id/deliveries": {
    administrator: [200, 200, 404],
    executive: [200, 200, 404],
    regional_manager: [404, 404, 404],
    property_manager: [404, 404, 404],
    office_staff: [404, 404, 404],
    maintenance_supervisor: [404, 404, 404],
    technician: [404, 404, 404],
    vendor: [404, 404, 404],
    auditor: [200, 200, 404],
  },
  // one's own notification preferences: anyone signed in
  "GET /api/v1/me/notification-preferences": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
  // replacing them
  "PUT /api/v1/me/notification-preferences": {
    administrator: [200, null, null],
    executive: [200, null, null],
    regional_manager: [200, null, null],
    property_manager: [200, null, null],
    office_staff: [200, null, null],
    maintenance_supervisor: [200, null, null],
    technician: [200, null, null],
    vendor: [200, null, null],
    auditor: [200, null, null],
  },
} as const satisfies Record<string, Record<Role, Expected>>;

type RouteKey = keyof typeof MATRIX;
const TARGETS = ["own", "otherProperty", "otherOrganization"] as const;
type Target = (typeof TARGETS)[number];

/** Routes anyone may call without a session. */
const PUBLIC_ROUTES: readonly RouteKey[] = [
  "GET /api/health",
  "GET /api/openapi.json",
  "GET /api/v1/setup",
  "POST /api/v1/setup",
  "POST /api/v1/auth/login",
  "POST /api/v1/auth/logout",
  "POST /api/v1/pin-activations",
  "POST /api/v1/agent/enroll",
  "GET /api/v1/agent/snapshot",
  "GET /api/v1/agent/stream",
  "POST /api/v1/agent/events",
  "POST /api/v1/agent/pin-activations",
];

// ------------------------------------------------------------------------------------------------- the world

interface Rec {
  id: string;
  [field: string]: unknown;
}

/** Everything one property holds, built once. */
interface Site {
  organizationId: string;
  factory: Factory;
  admin: ApiClient;
  region: Rec;
  property: Rec;
  building: Rec;
  unit: Rec;
  keySet: Rec;
  key: Rec;
  cabinet: Rec;
  hookId: string;
  person: Rec;
  badgeId: string;
  pinId: string;
  userId: string;
  userPersonId: string;
  roleAssignmentId: string;
  accessProfile: Rec;
  profileAssignmentId: string;
  holidayCalendar: Rec;
  reasonCode: Rec;
  eventId: string;
  /** A checkout opened by the site cabinet's enrolled device, and a remote release sent to it. */
  checkoutId: string;
  commandId: string;
  /** The property's "Daily keys out" schedule, and a delivery of it that failed for good. */
  scheduleId: string;
  failedDeliveryId: string;
  /** An open alert at the property (never acknowledged: acts on alerts take fresh ones), and a webhook endpoint for it. */
  alertId: string;
  webhookId: string;
}

let server: TestServer;
const sites = {} as Record<Target, Site>;
const actors = {} as Record<Role, { client: ApiClient; email: string; userId: string }>;
let sequence = 0;
const next = () => `${++sequence}${randomBytes(2).toString("hex")}`;

async function post<T>(client: ApiClient, path: string, body: unknown): Promise<T> {
  const res = await client.post<T>(path, body);
  if (res.status !== 201) {
    throw new Error(`set-up: POST ${path} answered ${res.status} ${res.text}`);
  }
  return res.body;
}

async function buildSite(factory: Factory, admin: ApiClient, region: Rec, reasonCode: Rec): Promise<Site> {
  const db = server.services.db;
  const property = await factory.property({ regionId: region.id });
  const building = await factory.building(property.id);
  const unit = await factory.unit(property.id, { buildingId: building.id });
  const keySet = await factory.keySet(property.id, { unitId: unit.id });
  const cabinet = await factory.cabinet(property.id, { hooksPerModule: 5 });
  const key = await factory.key(property.id, {
    unitId: unit.id,
    keySetId: keySet.id,
    cabinetId: cabinet.id,
    hookNumber: 1,
  });
  const hook = await db
    .selectFrom("hooks")
    .select("id")
    .where("cabinet_id", "=", cabinet.id)
    .where("number", "=", 3)
    .executeTakeFirstOrThrow();
  const person = await factory.person({ homePropertyId: property.id });
  const badge = await post<{ credential: Rec }>(admin, `/api/v1/people/${person.id}/credentials`, {
    kind: "badge",
    badgeNumber: `B${next()}`,
  });
  const pin = await post<{ credential: Rec }>(admin, `/api/v1/people/${person.id}/credentials`, { kind: "pin" });
  const user = await factory.user("technician", { type: "property", id: property.id });
  const assignment = await db
    .selectFrom("role_assignments")
    .select("id")
    .where("person_id", "=", user.person.id)
    .executeTakeFirstOrThrow();
  const accessProfile = await factory.accessProfile(property.id);
  const profileAssignment = await post<Rec>(admin, "/api/v1/profile-assignments", {
    propertyId: property.id,
    personId: person.id,
    accessProfileId: accessProfile.id,
  });
  const holidayCalendar = await factory.holidayCalendar(property.id);
  const event = await db
    .selectFrom("events")
    .select("id")
    .where("entity_id", "=", building.id)
    .executeTakeFirstOrThrow();
  const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
  const checkoutId = randomUUID();
  const takenKey = await factory.key(property.id, { unitId: unit.id });
  device.record("key.taken", {
    visitId: null,
    checkoutId,
    keyId: takenKey.id,
    hook: 2,
    personId: person.id,
    authorized: true,
    reasonCodeId: null,
    workOrder: null,
    dueAt: null,
  });
  expect((await device.upload()).status).toBe(200);
  // why: the checkpoint route needs one signed checkpoint of this organization's log
  const services = server.services;
  await runAuditPass(services);
  const signer = services.audit.signer;
  if (!signer) {
    throw new Error("the test server has no audit signer");
  }
  await signCheckpointIfDue(
    services.db,
    services.handle.dialect,
    signer,
    factory.organizationId,
    services.config.audit.originPrefix,
    services.now(),
    true,
  );
  const release = await post<{ commandId: string }>(admin, `/api/v1/cabinets/${cabinet.id}/remote-release`, {
    reason: "set-up",
  });
  const schedule = await db
    .selectFrom("report_schedules")
    .select("id")
    .where("property_id", "=", property.id)
    .executeTakeFirstOrThrow();
  const failedDeliveryId = randomUUID();
  const stamp = server.clock.now().toISOString();
  await db
    .insertInto("report_deliveries")
    .values({
      id: failedDeliveryId,
      organization_id: factory.organizationId,
      schedule_id: schedule.id,
      due_at: "2026-05-01T12:00:00.000Z",
      status: "failed",
      attempts: 5,
      next_attempt_at: null,
      claimed_by: null,
      claimed_until: null,
      last_error: "set-up",
      recipients: null,
      message_id: null,
      sent_at: null,
      created_at: stamp,
      updated_at: stamp,
    })
    .execute();
  const alert = await insertAlert(db, { organizationId: factory.organizationId, propertyId: property.id });
  const webhook = await post<Rec>(admin, "/api/v1/webhooks", {
    url: `https://hooks.example.test/${next()}`,
    propertyId: property.id,
  });
  return {
    alertId: alert.id,
    webhookId: webhook.id,
    scheduleId: schedule.id,
    failedDeliveryId,
    checkoutId,
    commandId: release.commandId,
    organizationId: factory.organizationId,
    factory,
    admin,
    region,
    property,
    building,
    unit,
    keySet,
    key,
    cabinet,
    hookId: hook.id,
    person,
    badgeId: String(badge.credential.id),
    pinId: String(pin.credential.id),
    userId: user.userId,
    userPersonId: user.person.id,
    roleAssignmentId: assignment.id,
    accessProfile,
    profileAssignmentId: profileAssignment.id,
    holidayCalendar,
    reasonCode,
    eventId: event.id,
  };
}

/** Where each role is held: see the file's comment. */
function scopeOf(role: Role): { type: "organization" | "region" | "property"; id: string | null } {
  switch (role) {
    case "administrator":
    case "executive":
    case "auditor":
      return { type: "organization", id: null };
    case "regional_manager":
      return { type: "region", id: sites.own.region.id };
    default:
      return { type: "property", id: sites.own.property.id };
  }
}

beforeAll(async () => {
  server = await startTestServer();
  const db = server.services.db;
  const orgA = await Factory.organization(db, server.clock.now);
  const orgB = await Factory.organization(db, server.clock.now);
  const adminA = await server.client().login(orgA.admin.email, orgA.admin.password);
  const adminB = await server.client().login(orgB.admin.email, orgB.admin.password);
  const reasonA = await orgA.reasonCode();
  const reasonB = await orgB.reasonCode();
  sites.own = await buildSite(orgA, adminA, await orgA.region(), reasonA);
  sites.otherProperty = await buildSite(orgA, adminA, await orgA.region(), reasonA);
  sites.otherOrganization = await buildSite(orgB, adminB, await orgB.region(), reasonB);
  for (const role of ROLES) {
    const u = await orgA.user(role, scopeOf(role));
    actors[role] = { client: await server.client().login(u.email, u.password), email: u.email, userId: u.userId };
  }
});
afterAll(() => server.close());

// ------------------------------------------------------------------------------------------------- how to call each route

type Method = "GET" | "POST" | "PATCH" | "PUT";

interface Call {
  path: string;
  body?: unknown;
  /** A client to use instead of the role's signed-in one. */
  client?: ApiClient;
  /** What a refused call must leave untouched: the table's row count, and this row. */
  watch?: { table: TableName; id?: string };
  /** A refused call that is itself recorded (a failed PIN activation) appends exactly this many events. */
  refusalEvents?: number;
  /** A list: which table's rows it shows, so foreign rows can be looked for. */
  list?: ListCheck;
  /** A stream (Server-Sent Events): only the status is read, then the connection is dropped. */
  stream?: boolean;
}

interface ListCheck {
  table: TableName;
  /** The row of the target's site the list must show when the role may read it (absent: not checked). */
  expectId?: string;
  /** The route whose answer for the same target tells whether the role may read that site's rows. */
  readRoute: RouteKey;
}

interface Spec {
  targets: readonly Target[];
  call(target: Target, role: Role): Promise<Call>;
}

const ALL: readonly Target[] = TARGETS;
const OWN_ONLY: readonly Target[] = ["own"];
const OWN_AND_FOREIGN: readonly Target[] = ["own", "otherOrganization"];

/** A six-digit code that the user's pending authenticator secret does not produce around now. */
async function wrongTotp(userId: string): Promise<string> {
  const user = await server.services.db
    .selectFrom("users")
    .select("totp_secret")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  if (!user.totp_secret) {
    return "000000";
  }
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(user.totp_secret) });
  const valid = [-30_000, 0, 30_000].map((d) => totp.generate({ timestamp: server.clock.ms + d }));
  return ["000000", "111111", "222222", "333333"].find((c) => !valid.includes(c)) ?? "444444";
}

/** A fresh person of the target's site, for calls that consume one (a login, a grant, a deactivation). */
async function freshPerson(target: Target): Promise<Rec> {
  const site = sites[target];
  return site.factory.person({ homePropertyId: site.property.id });
}

/** A fresh open alert at the target's property, for calls that change one (acknowledging, resolving). */
function freshAlert(target: Target) {
  const site = sites[target];
  return insertAlert(server.services.db, { organizationId: site.organizationId, propertyId: site.property.id });
}

function get(path: (site: Site) => string, targets: readonly Target[] = ALL): Spec {
  return { targets, call: async (t) => ({ path: path(sites[t]) }) };
}

/**
 * A list: "own" asks for everything the role can see, so that foreign rows would show; the other targets filter to
 * the target's site. `filter` null: the list has no filter by site, and only "own" applies.
 */
function list(
  base: string,
  table: TableName,
  readRoute: RouteKey,
  filter: ((site: Site) => string) | null,
  expectRow?: (site: Site) => string,
): Spec {
  return {
    targets: filter === null ? OWN_ONLY : ALL,
    call: async (t) => {
      const site = sites[t];
      const query = t === "own" || filter === null ? "" : `&${filter(site)}`;
      return {
        path: `${base}?limit=500${query}`,
        list: { table, readRoute, ...(expectRow ? { expectId: expectRow(site) } : {}) },
      };
    },
  };
}

function create(
  path: string,
  table: TableName,
  body: (site: Site) => Record<string, unknown>,
  targets: readonly Target[] = ALL,
): Spec {
  return { targets, call: async (t) => ({ path, body: body(sites[t]), watch: { table } }) };
}

function change(
  path: (site: Site) => string,
  table: TableName,
  id: (site: Site) => string,
  body: () => unknown,
  targets: readonly Target[] = ALL,
): Spec {
  return {
    targets,
    call: async (t) => ({ path: path(sites[t]), body: body(), watch: { table, id: id(sites[t]) } }),
  };
}

const SPECS: Record<RouteKey, Spec> = {
  "GET /api/health": get(() => "/api/health", OWN_ONLY),
  "GET /api/openapi.json": get(() => "/api/openapi.json", OWN_ONLY),
  "GET /api/v1/setup": get(() => "/api/v1/setup", OWN_ONLY),
  "POST /api/v1/setup": create(
    "/api/v1/setup",
    "organizations",
    () => ({
      organizationName: "Another Keyward",
      firstName: "Eve",
      lastName: "Intruder",
      email: `eve-${next()}@example.test`,
      password: TEST_PASSWORD,
    }),
    OWN_ONLY,
  ),
  "POST /api/v1/auth/login": {
    targets: OWN_ONLY,
    call: async (_t, role) => ({
      path: "/api/v1/auth/login",
      body: { email: actors[role].email, password: TEST_PASSWORD },
      client: server.client(),
    }),
  },
  "POST /api/v1/auth/logout": {
    targets: OWN_ONLY,
    // why: a session of its own, so the role's main session survives
    call: async (_t, role) => ({
      path: "/api/v1/auth/logout",
      client: await server.client().login(actors[role].email, TEST_PASSWORD),
    }),
  },
  "GET /api/v1/auth/me": get(() => "/api/v1/auth/me", OWN_ONLY),
  "POST /api/v1/auth/totp/setup": { targets: OWN_ONLY, call: async () => ({ path: "/api/v1/auth/totp/setup" }) },
  "POST /api/v1/auth/totp/confirm": {
    targets: OWN_ONLY,
    call: async (_t, role) => ({
      path: "/api/v1/auth/totp/confirm",
      body: { code: await wrongTotp(actors[role].userId) },
      watch: { table: "users", id: actors[role].userId },
    }),
  },
  "POST /api/v1/auth/totp/disable": {
    targets: OWN_ONLY,
    call: async (_t, role) => ({
      path: "/api/v1/auth/totp/disable",
      body: { code: await wrongTotp(actors[role].userId) },
      watch: { table: "users", id: actors[role].userId },
    }),
  },
  "POST /api/v1/pin-activations": {
    targets: ALL,
    // why: a fresh PIN each time — wrong codes are throttled per credential
    call: async (t) => {
      const site = sites[t];
      const person = await freshPerson(t);
      const issued = await post<{ credential: Rec; activationCode: string }>(
        site.admin,
        `/api/v1/people/${person.id}/credentials`,
        { kind: "pin" },
      );
      const wrong = issued.activationCode === "0000000000" ? "1111111111" : "0000000000";
      return {
        path: "/api/v1/pin-activations",
        body: { credentialId: issued.credential.id, activationCode: wrong, pin: "480151" },
        watch: { table: "credentials", id: issued.credential.id },
        refusalEvents: 1,
      };
    },
  },
  "GET /api/v1/organization": get(() => "/api/v1/organization", OWN_ONLY),
  "PATCH /api/v1/organization": change(
    () => "/api/v1/organization",
    "organizations",
    (s) => s.organizationId,
    () => ({ name: `Organization ${next()}` }),
    OWN_ONLY,
  ),
  "GET /api/v1/regions": list("/api/v1/regions", "regions", "GET /api/v1/regions/:id", null),
  "POST /api/v1/regions": create("/api/v1/regions", "regions", () => ({ name: `Region ${next()}` }), OWN_ONLY),
  "GET /api/v1/regions/:id": get((s) => `/api/v1/regions/${s.region.id}`),
  "PATCH /api/v1/regions/:id": change(
    (s) => `/api/v1/regions/${s.region.id}`,
    "regions",
    (s) => s.region.id,
    () => ({ name: `Region ${next()}` }),
  ),
  "GET /api/v1/properties": list(
    "/api/v1/properties",
    "properties",
    "GET /api/v1/properties/:id",
    (s) => `regionId=${s.region.id}`,
    (s) => s.property.id,
  ),
  "POST /api/v1/properties": create("/api/v1/properties", "properties", (s) => ({
    name: `Property ${next()}`,
    code: `M${next()}`,
    timeZone: "America/Chicago",
    regionId: s.region.id,
  })),
  "GET /api/v1/properties/:id": get((s) => `/api/v1/properties/${s.property.id}`),
  "PATCH /api/v1/properties/:id": change(
    (s) => `/api/v1/properties/${s.property.id}`,
    "properties",
    (s) => s.property.id,
    () => ({ address: `${next()} Main Street` }),
  ),
  ...propertyResource("buildings", "buildings", "building", {
    create: (s) => ({ propertyId: s.property.id, name: `Building ${next()}` }),
    update: () => ({ code: `C${next()}` }),
  }),
  ...propertyResource("units", "units", "unit", {
    create: (s) => ({ propertyId: s.property.id, number: `M${next()}` }),
    update: () => ({ notes: `note ${next()}` }),
  }),
  ...propertyResource("key-sets", "key_sets", "keySet", {
    create: (s) => ({ propertyId: s.property.id, name: `Set ${next()}` }),
    update: () => ({ name: `Set ${next()}` }),
  }),
  ...propertyResource("keys", "keys", "key", {
    create: (s) => ({ propertyId: s.property.id, label: `Key ${next()}`, tagCode: `MTX-${next()}` }),
    update: () => ({ label: `Key ${next()}` }),
  }),
  ...propertyResource("cabinets", "cabinets", "cabinet", {
    create: (s) => ({ propertyId: s.property.id, name: `Cabinet ${next()}`, hooksPerModule: 2 }),
    update: () => ({ location: `Office ${next()}` }),
  }),
  "GET /api/v1/cabinets/:id/hooks": get((s) => `/api/v1/cabinets/${s.cabinet.id}/hooks`),
  "PATCH /api/v1/cabinets/:id/hooks/:number": change(
    (s) => `/api/v1/cabinets/${s.cabinet.id}/hooks/3`,
    "hooks",
    (s) => s.hookId,
    () => ({ status: "disabled" }),
  ),
  "GET /api/v1/people": list(
    "/api/v1/people",
    "people",
    "GET /api/v1/people/:id",
    (s) => `homePropertyId=${s.property.id}`,
    (s) => s.person.id,
  ),
  "POST /api/v1/people": create("/api/v1/people", "people", (s) => ({
    homePropertyId: s.property.id,
    firstName: "Matrix",
    lastName: `Person ${next()}`,
  })),
  "GET /api/v1/people/:id": get((s) => `/api/v1/people/${s.person.id}`),
  "PATCH /api/v1/people/:id": change(
    (s) => `/api/v1/people/${s.person.id}`,
    "people",
    (s) => s.person.id,
    () => ({ phone: `555-${next()}` }),
  ),
  "POST /api/v1/people/:id/deactivate": {
    targets: ALL,
    call: async (t) => {
      const person = await freshPerson(t);
      return {
        path: `/api/v1/people/${person.id}/deactivate`,
        body: { reason: "matrix" },
        watch: { table: "people", id: person.id },
      };
    },
  },
  "POST /api/v1/people/:id/reactivate": {
    targets: ALL,
    call: async (t) => {
      const person = await freshPerson(t);
      const res = await sites[t].admin.post(`/api/v1/people/${person.id}/deactivate`, { reason: "set-up" });
      expect(res.status).toBe(200);
      return {
        path: `/api/v1/people/${person.id}/reactivate`,
        body: { reason: "matrix" },
        watch: { table: "people", id: person.id },
      };
    },
  },
  "POST /api/v1/people/:id/credentials": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/people/${sites[t].person.id}/credentials`,
      body: { kind: "badge", badgeNumber: `MB${next()}` },
      watch: { table: "credentials" },
    }),
  },
  "GET /api/v1/credentials": list(
    "/api/v1/credentials",
    "credentials",
    "GET /api/v1/credentials/:id",
    (s) => `personId=${s.person.id}`,
    (s) => s.badgeId,
  ),
  "GET /api/v1/credentials/:id": get((s) => `/api/v1/credentials/${s.badgeId}`),
  "PATCH /api/v1/credentials/:id": change(
    (s) => `/api/v1/credentials/${s.badgeId}`,
    "credentials",
    (s) => s.badgeId,
    () => ({ status: "disabled" }),
  ),
  "POST /api/v1/credentials/:id/reset-pin": change(
    (s) => `/api/v1/credentials/${s.pinId}/reset-pin`,
    "credentials",
    (s) => s.pinId,
    () => undefined,
  ),
  "GET /api/v1/users": list(
    "/api/v1/users",
    "users",
    "GET /api/v1/users/:id",
    (s) => `personId=${s.userPersonId}`,
    (s) => s.userId,
  ),
  "POST /api/v1/users": {
    targets: ALL,
    call: async (t) => {
      const person = await freshPerson(t);
      return {
        path: "/api/v1/users",
        body: { personId: person.id, email: `login-${next()}@example.test`, password: TEST_PASSWORD },
        watch: { table: "users" },
      };
    },
  },
  "GET /api/v1/users/:id": get((s) => `/api/v1/users/${s.userId}`),
  "PATCH /api/v1/users/:id": change(
    (s) => `/api/v1/users/${s.userId}`,
    "users",
    (s) => s.userId,
    () => ({ email: `renamed-${next()}@example.test` }),
  ),
  "POST /api/v1/users/:id/deactivate": change(
    (s) => `/api/v1/users/${s.userId}/deactivate`,
    "users",
    (s) => s.userId,
    () => undefined,
  ),
  "POST /api/v1/users/:id/reactivate": change(
    (s) => `/api/v1/users/${s.userId}/reactivate`,
    "users",
    (s) => s.userId,
    () => undefined,
  ),
  "GET /api/v1/role-assignments": list(
    "/api/v1/role-assignments",
    "role_assignments",
    "GET /api/v1/role-assignments/:id",
    (s) => `scopeId=${s.property.id}`,
    (s) => s.roleAssignmentId,
  ),
  "POST /api/v1/role-assignments": {
    targets: ALL,
    call: async (t) => {
      const person = await freshPerson(t);
      return {
        path: "/api/v1/role-assignments",
        body: { personId: person.id, role: "technician", scopeType: "property", scopeId: sites[t].property.id },
        watch: { table: "role_assignments" },
      };
    },
  },
  "GET /api/v1/role-assignments/:id": get((s) => `/api/v1/role-assignments/${s.roleAssignmentId}`),
  "PATCH /api/v1/role-assignments/:id": change(
    (s) => `/api/v1/role-assignments/${s.roleAssignmentId}`,
    "role_assignments",
    (s) => s.roleAssignmentId,
    () => ({ status: "revoked" }),
  ),
  ...propertyResource("access-profiles", "access_profiles", "accessProfile", {
    create: (s) => ({ propertyId: s.property.id, name: `Profile ${next()}`, keyScope: { allKeys: true } }),
    update: () => ({ description: `profile ${next()}` }),
  }),
  "GET /api/v1/profile-assignments": list(
    "/api/v1/profile-assignments",
    "profile_assignments",
    "GET /api/v1/profile-assignments/:id",
    (s) => `propertyId=${s.property.id}`,
    (s) => s.profileAssignmentId,
  ),
  "POST /api/v1/profile-assignments": create("/api/v1/profile-assignments", "profile_assignments", (s) => ({
    propertyId: s.property.id,
    personId: s.person.id,
    accessProfileId: s.accessProfile.id,
  })),
  "GET /api/v1/profile-assignments/:id": get((s) => `/api/v1/profile-assignments/${s.profileAssignmentId}`),
  "PATCH /api/v1/profile-assignments/:id": change(
    (s) => `/api/v1/profile-assignments/${s.profileAssignmentId}`,
    "profile_assignments",
    (s) => s.profileAssignmentId,
    () => ({ validUntil: `2030-01-${String((sequence % 28) + 1).padStart(2, "0")}` }),
  ),
  ...propertyResource("holiday-calendars", "holiday_calendars", "holidayCalendar", {
    create: (s) => ({ propertyId: s.property.id, name: `Holidays ${next()}` }),
    update: () => ({ name: `Holidays ${next()}` }),
  }),
  "GET /api/v1/reason-codes": list("/api/v1/reason-codes", "reason_codes", "GET /api/v1/reason-codes/:id", null),
  "POST /api/v1/reason-codes": create(
    "/api/v1/reason-codes",
    "reason_codes",
    () => ({ code: `m_${next()}`, label: "Matrix" }),
    OWN_ONLY,
  ),
  "GET /api/v1/reason-codes/:id": get((s) => `/api/v1/reason-codes/${s.reasonCode.id}`, OWN_AND_FOREIGN),
  "PATCH /api/v1/reason-codes/:id": change(
    (s) => `/api/v1/reason-codes/${s.reasonCode.id}`,
    "reason_codes",
    (s) => s.reasonCode.id,
    () => ({ label: `Reason ${next()}` }),
    OWN_AND_FOREIGN,
  ),
  "GET /api/v1/events": list(
    "/api/v1/events",
    "events",
    "GET /api/v1/events/:id",
    (s) => `propertyId=${s.property.id}`,
    (s) => s.eventId,
  ),
  "GET /api/v1/events/:id": get((s) => `/api/v1/events/${s.eventId}`),
  "GET /api/v1/overview": get((s) => `/api/v1/overview?propertyId=${s.property.id}`),
  "POST /api/v1/properties/:id/import/:kind": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/properties/${sites[t].property.id}/import/units`,
      body: { csv: `number,notes\nM${next()},imported\n` },
      watch: { table: "units" },
    }),
  },
  "GET /api/v1/properties/:id/export/:kind": get((s) => `/api/v1/properties/${s.property.id}/export/units`),
  "POST /api/v1/agent/enroll": {
    targets: OWN_ONLY,
    call: async () => ({
      path: "/api/v1/agent/enroll",
      body: { code: "AAAA-BBBB-CCCC", publicKey: "A".repeat(43), agentVersion: "matrix" },
      watch: { table: "cabinet_devices" },
    }),
  },
  "GET /api/v1/agent/snapshot": get(() => "/api/v1/agent/snapshot", OWN_ONLY),
  "GET /api/v1/agent/stream": get(() => "/api/v1/agent/stream", OWN_ONLY),
  "POST /api/v1/agent/events": create("/api/v1/agent/events", "cabinet_events", () => ({ events: [] }), OWN_ONLY),
  "POST /api/v1/agent/pin-activations": create(
    "/api/v1/agent/pin-activations",
    "credentials",
    (s) => ({ credentialId: s.pinId, activationCode: "0000000000", pin: "480151" }),
    OWN_ONLY,
  ),
  "POST /api/v1/cabinets/:id/enrollment-codes": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/cabinets/${sites[t].cabinet.id}/enrollment-codes`,
      body: {},
      watch: { table: "cabinet_enrollment_codes" },
    }),
  },
  "POST /api/v1/cabinets/:id/remote-release": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/cabinets/${sites[t].cabinet.id}/remote-release`,
      body: { reason: `matrix ${next()}` },
      watch: { table: "cabinet_commands" },
    }),
  },
  "POST /api/v1/cabinets/:id/alarms/acknowledge": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/cabinets/${sites[t].cabinet.id}/alarms/acknowledge`,
      body: { note: `matrix ${next()}` },
      watch: { table: "cabinet_states" },
    }),
  },
  "GET /api/v1/cabinets/:id/remote-releases/:commandId": get(
    (s) => `/api/v1/cabinets/${s.cabinet.id}/remote-releases/${s.commandId}`,
  ),
  "GET /api/v1/checkouts": list(
    "/api/v1/checkouts",
    "checkouts",
    "GET /api/v1/keys/:id",
    (s) => `propertyId=${s.property.id}`,
    (s) => s.checkoutId,
  ),
  "GET /api/v1/cabinet-states": get((s) => `/api/v1/cabinet-states?propertyId=${s.property.id}`),
  "GET /api/v1/live": { targets: OWN_ONLY, call: async () => ({ path: "/api/v1/live", stream: true }) },
  "GET /api/v1/units/:id/evidence-packet": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/units/${sites[t].unit.id}/evidence-packet?from=2026-05-01&to=2026-06-30`,
      // why: a refused packet signs no checkpoint and records no export
      watch: { table: "audit_checkpoints" },
    }),
  },
  "GET /api/v1/audit/status": get(() => "/api/v1/audit/status", OWN_ONLY),
  "GET /api/v1/audit/checkpoint": get(() => "/api/v1/audit/checkpoint", OWN_ONLY),
  "POST /api/v1/audit/verifications": {
    targets: OWN_ONLY,
    call: async () => ({ path: "/api/v1/audit/verifications", body: {}, watch: { table: "audit_verifications" } }),
  },
  "GET /api/v1/reports": get(() => "/api/v1/reports", OWN_ONLY),
  "GET /api/v1/reports/:name": get((s) => `/api/v1/reports/keys-out?propertyId=${s.property.id}`),
  "GET /api/v1/report-schedules": list(
    "/api/v1/report-schedules",
    "report_schedules",
    "GET /api/v1/report-schedules/:id",
    (s) => `propertyId=${s.property.id}`,
    (s) => s.scheduleId,
  ),
  "POST /api/v1/report-schedules": create("/api/v1/report-schedules", "report_schedules", (s) => ({
    propertyId: s.property.id,
    name: `Matrix ${next()}`,
    report: "keys-out",
    frequency: "weekly",
    weekday: 1,
    localTime: "08:00",
    recipients: { roles: ["property_manager"] },
    formats: ["csv"],
  })),
  "GET /api/v1/report-schedules/:id": get((s) => `/api/v1/report-schedules/${s.scheduleId}`),
  "PATCH /api/v1/report-schedules/:id": change(
    (s) => `/api/v1/report-schedules/${s.scheduleId}`,
    "report_schedules",
    (s) => s.scheduleId,
    () => ({ name: `Daily keys out ${next()}` }),
  ),
  "GET /api/v1/report-schedules/:id/deliveries": get((s) => `/api/v1/report-schedules/${s.scheduleId}/deliveries`),
  "POST /api/v1/report-schedules/:id/send-now": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/report-schedules/${sites[t].scheduleId}/send-now`,
      body: {},
      watch: { table: "report_deliveries" },
    }),
  },
  "POST /api/v1/report-schedules/:id/deliveries/:deliveryId/retry": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/report-schedules/${sites[t].scheduleId}/deliveries/${sites[t].failedDeliveryId}/retry`,
      body: {},
      watch: { table: "report_deliveries", id: sites[t].failedDeliveryId },
    }),
  },
  "GET /api/v1/alerts": list(
    "/api/v1/alerts",
    "alerts",
    "GET /api/v1/alerts/:id",
    (s) => `propertyId=${s.property.id}`,
    (s) => s.alertId,
  ),
  "GET /api/v1/alerts/:id": get((s) => `/api/v1/alerts/${s.alertId}`),
  "POST /api/v1/alerts/:id/acknowledge": {
    targets: ALL,
    call: async (t) => {
      const alert = await freshAlert(t);
      return {
        path: `/api/v1/alerts/${alert.id}/acknowledge`,
        body: { note: "matrix" },
        watch: { table: "alerts", id: alert.id },
      };
    },
  },
  "POST /api/v1/alerts/:id/resolve": {
    targets: ALL,
    call: async (t) => {
      const alert = await freshAlert(t);
      return {
        path: `/api/v1/alerts/${alert.id}/resolve`,
        body: { note: "matrix" },
        watch: { table: "alerts", id: alert.id },
      };
    },
  },
  "POST /api/v1/alert-deliveries/:id/retry": {
    targets: ALL,
    call: async (t) => {
      const alert = await freshAlert(t);
      const delivery = await insertDelivery(server.services.db, {
        organizationId: sites[t].organizationId,
        alertId: alert.id,
      });
      return {
        path: `/api/v1/alert-deliveries/${delivery.id}/retry`,
        body: {},
        watch: { table: "alert_deliveries", id: delivery.id },
      };
    },
  },
  "GET /api/v1/alert-rules": get((s) => `/api/v1/alert-rules?propertyId=${s.property.id}`),
  "PUT /api/v1/alert-rules/:kind": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/alert-rules/key_overdue?propertyId=${sites[t].property.id}`,
      body: { threshold: (++sequence % 60) + 1 },
      watch: { table: "alert_rules" },
    }),
  },
  "GET /api/v1/webhooks": list(
    "/api/v1/webhooks",
    "webhook_endpoints",
    "GET /api/v1/webhooks/:id/deliveries",
    null,
    (s) => s.webhookId,
  ),
  "POST /api/v1/webhooks": create("/api/v1/webhooks", "webhook_endpoints", (s) => ({
    url: `https://hooks.example.test/${next()}`,
    propertyId: s.property.id,
  })),
  "PATCH /api/v1/webhooks/:id": change(
    (s) => `/api/v1/webhooks/${s.webhookId}`,
    "webhook_endpoints",
    (s) => s.webhookId,
    () => ({ description: `Matrix ${next()}` }),
  ),
  "POST /api/v1/webhooks/:id/rotate-secret": change(
    (s) => `/api/v1/webhooks/${s.webhookId}/rotate-secret`,
    "webhook_endpoints",
    (s) => s.webhookId,
    () => ({}),
  ),
  "POST /api/v1/webhooks/:id/ping": {
    targets: ALL,
    call: async (t) => ({
      path: `/api/v1/webhooks/${sites[t].webhookId}/ping`,
      body: {},
      watch: { table: "alert_deliveries" },
    }),
  },
  "GET /api/v1/webhooks/:id/deliveries": get((s) => `/api/v1/webhooks/${s.webhookId}/deliveries`),
  "GET /api/v1/me/notification-preferences": get(() => "/api/v1/me/notification-preferences", OWN_ONLY),
  "PUT /api/v1/me/notification-preferences": {
    targets: OWN_ONLY,
    call: async () => ({
      path: "/api/v1/me/notification-preferences",
      body: {
        email: true,
        sms: false,
        phone: null,
        minSeverity: "warning",
        digest: false,
        digestTime: "07:00",
        timeZone: "America/Chicago",
      },
    }),
  },
};

/** The four generic routes of a property-scoped resource. */
function propertyResource<P extends string>(
  path: P,
  table: TableName,
  field: "building" | "unit" | "keySet" | "key" | "cabinet" | "accessProfile" | "holidayCalendar",
  bodies: { create: (site: Site) => Record<string, unknown>; update: () => Record<string, unknown> },
) {
  const base = `/api/v1/${path}` as const;
  return {
    [`GET ${base}`]: list(
      base,
      table,
      `GET ${base}/:id` as RouteKey,
      (s) => `propertyId=${s.property.id}`,
      (s) => s[field].id,
    ),
    [`POST ${base}`]: create(base, table, bodies.create),
    [`GET ${base}/:id`]: get((s) => `${base}/${s[field].id}`),
    [`PATCH ${base}/:id`]: change(
      (s) => `${base}/${s[field].id}`,
      table,
      (s) => s[field].id,
      bodies.update,
    ),
  } as Record<`GET /api/v1/${P}` | `POST /api/v1/${P}` | `GET /api/v1/${P}/:id` | `PATCH /api/v1/${P}/:id`, Spec>;
}

// ------------------------------------------------------------------------------------------------- oracles

/** Where a row lives, written out here independently of the server's scoping. */
const PROPERTY_OF: Partial<Record<TableName, string>> = {
  properties: "id",
  buildings: "property_id",
  units: "property_id",
  key_sets: "property_id",
  keys: "property_id",
  cabinets: "property_id",
  access_profiles: "property_id",
  profile_assignments: "property_id",
  holiday_calendars: "property_id",
  events: "property_id",
  checkouts: "property_id",
  people: "home_property_id",
  credentials: "(select p.home_property_id from people p where p.id = person_id)",
  users: "(select p.home_property_id from people p where p.id = person_id)",
  role_assignments: "(case when scope_type = 'property' then scope_id end)",
  report_schedules: "property_id",
  alerts: "property_id",
  webhook_endpoints: "property_id",
};

async function idsWhere(table: TableName, organizationId: string, propertyId?: string): Promise<Set<string>> {
  const db = loose(server.services.db);
  let q = db.selectFrom(table).select("id").where("organization_id", "=", organizationId);
  const where = PROPERTY_OF[table];
  if (propertyId !== undefined && where) {
    q = q.where(sql.raw(where), "=", propertyId);
  }
  return new Set((await q.execute()).map((r) => String(r.id)));
}

/** What a refused call must leave as it was: the watched row, its table's row count, and the events. */
async function snapshot(watch: NonNullable<Call["watch"]>) {
  const db = server.services.db;
  const row = watch.id ? await rowOf(db, watch.table, watch.id) : null;
  return { rows: await countOf(db, watch.table), row: row ?? null, events: await countOf(db, "events") };
}

function mayRead(route: RouteKey, role: Role, target: Target): boolean {
  const expected: Expected = MATRIX[route][role];
  return expected[TARGETS.indexOf(target)] === 200;
}

async function checkList(res: ApiResponse, check: ListCheck, role: Role, target: Target): Promise<void> {
  const body = res.body as { items: Rec[]; nextCursor: string | null };
  const shown = new Set(body.items.map((i) => i.id));
  const foreign = await idsWhere(check.table, sites.otherOrganization.organizationId);
  expect([...shown].filter((id) => foreign.has(id))).toEqual([]);
  if (PROPERTY_OF[check.table] && !mayRead(check.readRoute, role, "otherProperty")) {
    const hidden = await idsWhere(check.table, sites.otherProperty.organizationId, sites.otherProperty.property.id);
    expect([...shown].filter((id) => hidden.has(id))).toEqual([]);
  }
  if (target === "otherOrganization") {
    expect(body.items).toEqual([]);
  }
  if (target === "otherProperty" && PROPERTY_OF[check.table] && !mayRead(check.readRoute, role, "otherProperty")) {
    expect(body.items).toEqual([]);
  }
  // why: a list that answers with the whole of what the role may read must show the site's own row
  if (check.expectId && target !== "otherOrganization" && body.nextCursor === null) {
    expect(shown.has(check.expectId)).toBe(mayRead(check.readRoute, role, target));
  }
}

// ------------------------------------------------------------------------------------------------- the tests

const ROLE_NAMES: Record<Role, string> = {
  administrator: "an administrator",
  executive: "an executive",
  regional_manager: "the regional manager",
  property_manager: "a property manager",
  office_staff: "office staff",
  maintenance_supervisor: "a maintenance supervisor",
  technician: "a technician",
  vendor: "a vendor",
  auditor: "an auditor",
};
const TARGET_NAMES: Record<Target, string> = {
  own: "for their own property",
  otherProperty: "for another property of the organization",
  otherOrganization: "for another organization",
};

function methodOf(route: RouteKey): Method {
  return route.split(" ")[0] as Method;
}

describe("the authorization matrix", () => {
  it("names every API route the server answers, and no other", () => {
    const served = apiRoutes(server.app.printRoutes({ commonPrefix: false }));
    expect(served.length).toBeGreaterThan(80);
    expect([...served].sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it("agrees with the OpenAPI document on every documented operation", async () => {
    const res = await server.client().get<{ paths: Record<string, Record<string, unknown>> }>("/api/openapi.json");
    const documented = Object.entries(res.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    for (const route of documented) {
      expect(Object.keys(MATRIX)).toContain(route);
    }
  });

  it("states an answer exactly for the targets each route has", () => {
    for (const [route, byRole] of Object.entries(MATRIX) as [RouteKey, Record<Role, Expected>][]) {
      const targets = SPECS[route].targets;
      for (const role of ROLES) {
        const stated = TARGETS.filter((_, i) => byRole[role][i] !== null);
        expect({ route, role, targets: stated }).toEqual({ route, role, targets: [...targets] });
      }
    }
  });
});

for (const route of Object.keys(MATRIX) as RouteKey[]) {
  const method = methodOf(route);
  describe(route, () => {
    if (!PUBLIC_ROUTES.includes(route)) {
      it("answers 401 to a caller without a session, changing nothing", async () => {
        const call = await SPECS[route].call("own", "administrator");
        const before = call.watch ? await snapshot(call.watch) : null;
        const res = await server.client().request(method, call.path, call.body);
        expect(res.status).toBe(401);
        expect((res.body as { code: string }).code).toBe("unauthenticated");
        if (call.watch) {
          expect(await snapshot(call.watch)).toEqual(before);
        }
      });
    }
    for (const role of ROLES) {
      TARGETS.forEach((target, i) => {
        const expected = MATRIX[route][role][i] as Status | null;
        if (expected === null) {
          return;
        }
        const where = SPECS[route].targets.length > 1 ? ` ${TARGET_NAMES[target]}` : "";
        it(`answers ${expected} to ${ROLE_NAMES[role]}${where}`, async () => {
          const call = await SPECS[route].call(target, role);
          const before = call.watch ? await snapshot(call.watch) : null;
          const client = call.client ?? actors[role].client;
          if (call.stream) {
            const controller = new AbortController();
            const opened = await fetch(`${server.url}${call.path}`, {
              headers: { cookie: client.cookie ?? "" },
              signal: controller.signal,
            });
            controller.abort();
            expect(opened.status).toBe(expected);
            return;
          }
          const res = await client.request(method, call.path, call.body);
          expect(res.status, res.text.slice(0, 300)).toBe(expected);
          if (call.watch && before && expected >= 400) {
            const after = await snapshot(call.watch);
            expect(after.row).toEqual(before.row);
            expect(after.rows).toBe(before.rows);
            expect(after.events).toBe(before.events + (call.refusalEvents ?? 0));
          }
          if (call.list && res.status === 200) {
            await checkList(res, call.list, role, target);
          }
        });
      });
    }
  });
}

/** The API routes in Fastify's route tree (HEAD is Fastify's echo of GET and is left out). */
function apiRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) {
      continue;
    }
    const depth = (m[1] ?? "").length / 4;
    stack.length = depth;
    stack.push(m[2] ?? "");
    const path = stack.join("");
    for (const method of (m[3] ?? "").split(",").map((s) => s.trim())) {
      if (method && method !== "HEAD" && path.startsWith("/api/")) {
        routes.push(`${method} ${path}`);
      }
    }
  }
  return routes;
}
