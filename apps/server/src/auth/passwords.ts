/**
 * Password and secret hashing with argon2id, and the common-password blocklist (49k entries from zxcvbn-ts).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { checkPassword, describePasswordProblem, type PasswordBlocklist } from "@keyward/domain/password-rules";
import { hash, verify } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";
import { invalidInput } from "../errors.ts";

// why: @node-rs/argon2 defaults are argon2id, m=19 MiB, t=2, p=1 — the OWASP-recommended minimum
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

let blocklist: PasswordBlocklist | undefined;

/** The common-password blocklist, loaded once. */
export function passwordBlocklist(): PasswordBlocklist {
  blocklist ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return blocklist;
}

/** Hashes a password or PIN with argon2id. */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret, ARGON2_OPTIONS);
}

/** Verifies a secret against its argon2id hash; false for a malformed hash. */
export async function verifySecret(hashed: string, secret: string): Promise<boolean> {
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as a real verification, for sign-ins with an unknown e-mail: the answer's timing must not
 * tell whether an account exists.
 */
export async function burnVerification(secret: string): Promise<void> {
  dummyHash ??= hashSecret(randomBytes(16).toString("hex"));
  await verifySecret(await dummyHash, secret);
}

/** Throws a 400 naming the rule a new password breaks. */
export function assertAcceptablePassword(password: string, identity: string[], field = "password"): void {
  const problem = checkPassword(password, passwordBlocklist(), identity);
  if (problem) {
    throw invalidInput(field, describePasswordProblem(problem));
  }
}

/** A URL-safe random token of `bytes` bytes (16 bytes = 128 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** SHA-256 of a token, for storing session ids: a stolen database row cannot be replayed as a cookie. */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Constant-time string comparison. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
