/**
 * The directory offsite target on the real filesystem (and the spec parser every target goes through): whole
 * read-only files, written once, never replaced, and clear errors when the drive is missing or read-only.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OffsiteConflictError, type OffsiteTarget, openOffsiteTarget } from "../src/audit/offsite/target.ts";

const options = { retentionDays: 2557 };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

let root: string;
let target: OffsiteTarget;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "keyward-offsite-"));
  target = openOffsiteTarget(root, options);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("openOffsiteTarget", () => {
  it("opens a directory from an absolute path or dir:PATH, and S3 from s3://BUCKET/PREFIX", () => {
    expect(openOffsiteTarget("/mnt/worm/", options).description).toBe("dir:/mnt/worm");
    expect(openOffsiteTarget("dir:/mnt/worm", options).description).toBe("dir:/mnt/worm");
    expect(openOffsiteTarget("dir:relative/worm", options).description).toBe(`dir:${process.cwd()}/relative/worm`);
    const s3 = { region: "eu-west-1", accessKeyId: "AKIAEXAMPLE", secretAccessKey: "s3cr3t" };
    expect(openOffsiteTarget("s3://keyward-audit/acme/", { ...options, s3 }).description).toBe(
      "s3://keyward-audit/acme",
    );
    expect(openOffsiteTarget("s3://keyward-audit", { ...options, s3 }).description).toBe("s3://keyward-audit");
  });

  it("refuses what it cannot parse, saying what it accepts", () => {
    expect(() => openOffsiteTarget("worm", options)).toThrow(
      /neither an absolute directory path .* nor "s3:\/\/BUCKET\/PREFIX"/,
    );
    expect(() => openOffsiteTarget("s3://", options)).toThrow('Offsite target "s3://" is not "s3://BUCKET/PREFIX".');
    expect(() => openOffsiteTarget("s3://bucket/../up", options)).toThrow(/is not allowed/);
    expect(() => openOffsiteTarget("/mnt/worm", { retentionDays: 0 })).toThrow(/at least 1/);
    expect(() =>
      openOffsiteTarget("s3://bucket/p", { ...options, s3: { region: "eu-west-1", accessKeyId: "AKIAEXAMPLE" } }),
    ).toThrow(/both the access key id and the secret access key, or neither/);
    expect(() =>
      openOffsiteTarget("s3://bucket/p", { ...options, s3: { region: "x", endpoint: "127.0.0.1:7480" } }),
    ).toThrow('Offsite s3://bucket/p: the S3 endpoint "127.0.0.1:7480" is not a URL (say "https://host:port").');
  });
});

describe("directory offsite target", () => {
  it("writes a whole read-only file and leaves no temporary file behind", async () => {
    const put = await target.putOnce("checkpoints/000001", bytes("checkpoint 1\n"), "text/plain");
    expect(put).toEqual({ locked: false, retainUntil: null, versionId: null });
    const file = join(root, "checkpoints", "000001");
    expect(readFileSync(file, "utf8")).toBe("checkpoint 1\n");
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(readdirSync(join(root, "checkpoints"))).toEqual(["000001"]);
    expect(await target.lockStatus()).toEqual({ locked: false, mode: null, retentionDays: null });
  });

  it("keeps 0444 whatever the process umask", async () => {
    const previous = process.umask(0o000);
    try {
      await target.putOnce("a", bytes("a"), "text/plain");
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(root, "a")).mode & 0o777).toBe(0o444);
  });

  it("accepts a retry with the same bytes and leaves the file as it was", async () => {
    await target.putOnce("bundles/1.json", bytes("{}"), "application/json");
    const first = statSync(join(root, "bundles", "1.json"));
    expect(await target.putOnce("bundles/1.json", bytes("{}"), "application/json")).toEqual({
      locked: false,
      retainUntil: null,
      versionId: null,
    });
    expect(statSync(join(root, "bundles", "1.json")).ino).toBe(first.ino);
  });

  it("refuses different bytes under a name already written, and keeps the original", async () => {
    await target.putOnce("checkpoints/000002", bytes("size 2"), "text/plain");
    await expect(target.putOnce("checkpoints/000002", bytes("size 1"), "text/plain")).rejects.toBeInstanceOf(
      OffsiteConflictError,
    );
    expect(text(await target.get("checkpoints/000002"))).toBe("size 2");
  });

  it("lets exactly one of two racing writers of different bytes win, and never mixes them", async () => {
    for (let i = 0; i < 20; i += 1) {
      const name = `race/${i}`;
      const results = await Promise.allSettled([
        target.putOnce(name, bytes(`first ${i}`), "text/plain"),
        target.putOnce(name, bytes(`second ${i}`), "text/plain"),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost.map((r) => r.reason)).toEqual([expect.any(OffsiteConflictError)]);
      const winner = results[0]?.status === "fulfilled" ? `first ${i}` : `second ${i}`;
      expect(text(await target.get(name))).toBe(winner);
    }
    expect(readdirSync(join(root, "race")).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("reads back what was written, and null for a name never written", async () => {
    await target.putOnce("x/y/z", bytes("deep"), "text/plain");
    expect(text(await target.get("x/y/z"))).toBe("deep");
    expect(await target.get("x/y/missing")).toBeNull();
    expect(await target.get("nowhere/at/all")).toBeNull();
  });

  it("lists names under a prefix, sorted, without the temporary files of an interrupted write", async () => {
    for (const name of ["checkpoints/2", "checkpoints/10", "bundles/a.json", "checkpoints-old/1"]) {
      await target.putOnce(name, bytes(name), "text/plain");
    }
    writeFileSync(join(root, "checkpoints", ".0123abcd.tmp"), "half a checkp");
    expect(await target.list("")).toEqual(["bundles/a.json", "checkpoints-old/1", "checkpoints/10", "checkpoints/2"]);
    expect(await target.list("checkpoints/")).toEqual(["checkpoints/10", "checkpoints/2"]);
    expect(await target.list("checkpoints")).toEqual(["checkpoints-old/1", "checkpoints/10", "checkpoints/2"]);
    expect(await target.list("checkpoints/1")).toEqual(["checkpoints/10"]);
    expect(await target.list("tiles/")).toEqual([]);
  });

  it("refuses names that could leave the directory or hide as temporary files", async () => {
    for (const name of ["../escape", "/etc/passwd", "a//b", ".hidden", "a/./b", "", "a\\b"]) {
      await expect(target.putOnce(name, bytes("x"), "text/plain"), name).rejects.toThrow(/is not allowed/);
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it("says the directory is missing, and does not create it (an unmounted drive)", async () => {
    const missing = join(root, "not-mounted");
    const absent = openOffsiteTarget(missing, options);
    await expect(absent.putOnce("a", bytes("a"), "text/plain")).rejects.toThrow(
      `Offsite dir:${missing}: the directory does not exist (is the drive mounted?)`,
    );
    await expect(absent.list("")).rejects.toThrow(/does not exist/);
    expect(readdirSync(root)).toEqual([]);
  });

  it("says when the path is a file", async () => {
    const file = join(root, "plain-file");
    writeFileSync(file, "");
    await expect(openOffsiteTarget(file, options).putOnce("a", bytes("a"), "text/plain")).rejects.toThrow(
      `Offsite dir:${file}: opening the directory failed: ${file} is not a directory`,
    );
  });

  it("says permission is denied when the directory cannot be written", async (context) => {
    const locked = join(root, "read-only");
    mkdirSync(locked);
    const made = makeUnwritable(locked);
    try {
      let writable = true;
      try {
        writeFileSync(join(locked, "probe"), "");
      } catch {
        writable = false;
      }
      if (!made || writable) {
        context.skip("this filesystem lets the test user write into any folder (no chattr +i here)");
      }
      await expect(openOffsiteTarget(locked, options).putOnce("a/b", bytes("a"), "text/plain")).rejects.toThrow(
        `Offsite dir:${locked}: writing a/b failed: permission denied (the server's user may not write there)`,
      );
    } finally {
      makeWritable(locked);
    }
  });
});

const asRoot = process.getuid?.() === 0;

/** Makes a folder unwritable for this process. why: root ignores mode bits, so as root (CI) the folder is made
 * immutable instead; the test still probes the result, since not every filesystem supports chattr. */
function makeUnwritable(dir: string): boolean {
  if (asRoot) {
    return spawnSync("chattr", ["+i", dir]).status === 0;
  }
  chmodSync(dir, 0o555);
  return true;
}

function makeWritable(dir: string): void {
  if (asRoot) {
    spawnSync("chattr", ["-i", dir]);
  } else {
    chmodSync(dir, 0o755);
  }
}
