/**
 * The API's shapes as the dashboard sees them, inferred from the shared contracts (types only: no schema code
 * reaches the browser bundle).
 */
import type * as Auth from "@keyward/contracts/auth";
import type * as Sync from "@keyward/contracts/cabinet-sync";
import type * as Custody from "@keyward/contracts/custody";
import type * as R from "@keyward/contracts/resources";
import type { z } from "zod";

export type Me = z.infer<typeof Auth.Me>;
export type MeProperty = z.infer<typeof Auth.MeProperty>;
export type TotpSetup = z.infer<typeof Auth.TotpSetup>;
export type SetupStatus = z.infer<typeof Auth.SetupStatus>;
export type ImportResult = z.infer<typeof Auth.ImportResult>;
export type ImportKind = ImportResult["kind"];

export type Organization = z.infer<typeof R.Organization>;
export type OrganizationSettings = z.infer<typeof R.OrganizationSettings>;
export type Region = z.infer<typeof R.Region>;
export type Property = z.infer<typeof R.Property>;
export type Building = z.infer<typeof R.Building>;
export type Unit = z.infer<typeof R.Unit>;
export type KeySet = z.infer<typeof R.KeySet>;
export type Key = z.infer<typeof R.Key>;
export type Cabinet = z.infer<typeof R.Cabinet>;
export type Hook = z.infer<typeof R.Hook>;
export type Person = z.infer<typeof R.Person>;
export type Credential = z.infer<typeof R.Credential>;
export type CredentialIssued = z.infer<typeof R.CredentialIssued>;
export type User = z.infer<typeof R.User>;
export type RoleAssignment = z.infer<typeof R.RoleAssignment>;
export type AccessProfile = z.infer<typeof R.AccessProfile>;
export type KeyScope = z.infer<typeof R.KeyScope>;
export type WeeklyWindow = z.infer<typeof R.WeeklyWindow>;
export type ProfileAssignment = z.infer<typeof R.ProfileAssignment>;
export type HolidayCalendar = z.infer<typeof R.HolidayCalendar>;
export type ReasonCode = z.infer<typeof R.ReasonCode>;
export type AuditEvent = z.infer<typeof R.Event>;
export type Overview = z.infer<typeof R.Overview>;

export type Checkout = Custody.Checkout;
export type CabinetState = Custody.CabinetState;
export type RemoteRelease = Custody.RemoteRelease;
export type RemoteReleaseRequest = z.input<typeof Custody.RemoteReleaseRequest>;
export type AlarmsAcknowledged = Custody.AlarmsAcknowledged;
export type LiveMessage = Custody.LiveMessage;
export type LiveTopic = Custody.LiveTopic;
export type EnrollmentCode = Sync.EnrollmentCode;

export type UnitKind = Unit["kind"];
export type Occupancy = Unit["occupancy"];
export type KeyKind = Key["kind"];
export type KeyStatus = Key["status"];
export type CabinetStatus = Cabinet["status"];
export type FactorPolicy = Cabinet["factorPolicy"];
export type PersonKind = Person["kind"];
export type CredentialKind = Credential["kind"];
export type CredentialStatus = Credential["status"];
