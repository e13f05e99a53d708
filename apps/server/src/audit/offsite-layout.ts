/**
 * Names of the offsite copies. Every name is written once and never again (WORM): a checkpoint per signed size, and a
 * bundle per range of entries between two checkpoints (one canonical entry per line, exactly the leaf bytes).
 */

/** Zero-padded so names sort in log order. */
function pad(n: number): string {
  return String(n).padStart(12, "0");
}

export function checkpointPrefix(organizationId: string): string {
  return `${organizationId}/checkpoints/`;
}

export function bundlePrefix(organizationId: string): string {
  return `${organizationId}/bundles/`;
}

export function checkpointName(organizationId: string, size: number): string {
  return `${checkpointPrefix(organizationId)}${pad(size)}.note`;
}

/** Entries [from, to). */
export function bundleName(organizationId: string, from: number, to: number): string {
  return `${bundlePrefix(organizationId)}${pad(from)}-${pad(to)}.jsonl`;
}

export function parseBundleName(organizationId: string, name: string): { from: number; to: number } | null {
  const match = new RegExp(`^${bundlePrefix(organizationId)}(\\d{12})-(\\d{12})\\.jsonl$`).exec(name);
  return match ? { from: Number(match[1]), to: Number(match[2]) } : null;
}
