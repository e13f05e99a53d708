/**
 * The directory offsite target: a mounted drive (USB disk, NAS share) the server may write but should never change.
 * Each object is one read-only file under the root, written whole or not at all.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { OffsiteConflictError, type OffsiteTarget, objectNameSegments, sameBytes } from "./target.ts";

/** Opens a directory target rooted at `path` (resolved to an absolute path). The root itself must already exist. */
export function openDirectoryTarget(path: string): OffsiteTarget {
  const root = resolve(path);
  const description = `dir:${root}`;
  const fail = (what: string, error: unknown): Error =>
    new Error(`Offsite ${description}: ${what} failed: ${explainFsError(error)}`, { cause: error });

  const checkRoot = async (): Promise<void> => {
    try {
      const s = await stat(root);
      if (!s.isDirectory()) {
        throw new Error(`${root} is not a directory`);
      }
    } catch (error) {
      // why: the root is never created here — a missing mount point means the drive is not mounted, and writing
      // into the empty mount point would put the "offsite" copy on the server's own disk
      if (errnoCode(error) === "ENOENT") {
        throw new Error(`Offsite ${description}: the directory does not exist (is the drive mounted?)`, {
          cause: error,
        });
      }
      throw fail("opening the directory", error);
    }
  };

  const readExisting = async (file: string): Promise<Uint8Array | null> => {
    try {
      return new Uint8Array(await readFile(file));
    } catch (error) {
      if (errnoCode(error) === "ENOENT") {
        return null;
      }
      throw error;
    }
  };

  return {
    description,

    async putOnce(name, body) {
      const file = join(root, ...objectNameSegments(name));
      await checkRoot();
      const unlocked = { locked: false, retainUntil: null, versionId: null };
      let existing: Uint8Array | null;
      try {
        existing = await readExisting(file);
      } catch (error) {
        throw fail(`reading ${name}`, error);
      }
      if (existing !== null) {
        if (sameBytes(existing, body)) {
          return unlocked;
        }
        throw new OffsiteConflictError(`Offsite ${description}: ${name} already holds different bytes; it is kept.`);
      }
      // why: tmp names start with "." so list() never shows them and objectNameSegments() never accepts them
      const tmp = join(dirname(file), `.${randomBytes(8).toString("hex")}.tmp`);
      try {
        await makeParents(root, dirname(file));
        await writeDurably(tmp, body);
        await publish(tmp, file);
        await syncDirectory(dirname(file));
      } catch (error) {
        await rm(tmp, { force: true }).catch(() => undefined);
        if (errnoCode(error) === "EEXIST") {
          // why: another writer published the same name between our read and our link; compare with what won
          const winner = await readExisting(file).catch(() => null);
          if (winner !== null && sameBytes(winner, body)) {
            return unlocked;
          }
          throw new OffsiteConflictError(`Offsite ${description}: ${name} already holds different bytes; it is kept.`);
        }
        throw fail(`writing ${name}`, error);
      }
      return unlocked;
    },

    async get(name) {
      const file = join(root, ...objectNameSegments(name));
      await checkRoot();
      try {
        return await readExisting(file);
      } catch (error) {
        throw fail(`reading ${name}`, error);
      }
    },

    async list(prefix) {
      await checkRoot();
      const names: string[] = [];
      const walk = async (dir: string, relative: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true });
        for (const entry of entries) {
          if (entry.name.startsWith(".")) {
            continue;
          }
          const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
          // why: descend only where names under `prefix` can be, so a prefix keeps a big archive cheap to list
          if (entry.isDirectory() && (prefix.startsWith(`${child}/`) || `${child}/`.startsWith(prefix))) {
            await walk(join(dir, entry.name), child);
          } else if (entry.isFile() && child.startsWith(prefix)) {
            names.push(child);
          }
        }
      };
      try {
        await walk(root, "");
      } catch (error) {
        throw fail(`listing ${prefix === "" ? "the directory" : prefix}`, error);
      }
      return names.sort();
    },

    async lockStatus() {
      return { locked: false, mode: null, retentionDays: null };
    },
  };
}

/** Creates the folders between `root` and `dir`, each made durable in its parent. */
async function makeParents(root: string, dir: string): Promise<void> {
  if (dir === root) {
    return;
  }
  await makeParents(root, dirname(dir));
  try {
    await mkdir(dir);
  } catch (error) {
    if (errnoCode(error) === "EEXIST") {
      return;
    }
    throw error;
  }
  await syncDirectory(dirname(dir));
}

/** Writes `body` to a new read-only file and flushes it to the disk. */
async function writeDurably(file: string, body: Uint8Array): Promise<void> {
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o444);
  try {
    await handle.writeFile(body);
    // why: the mode given to open() is narrowed by the umask; 0444 must hold whatever the umask
    await handle.chmod(0o444);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Gives the finished file its name, never replacing one. why: rename() would silently overwrite a copy another
 * writer published a moment earlier; link() fails with EEXIST instead. Filesystems without hard links (FAT, exFAT,
 * some SMB shares) answer EPERM/ENOTSUP: there a rename after a last existence check is the best they allow.
 */
async function publish(tmp: string, file: string): Promise<void> {
  try {
    await link(tmp, file);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") {
      throw error;
    }
    const taken = await stat(file).then(
      () => true,
      () => false,
    );
    if (taken) {
      throw Object.assign(new Error(`${file} exists`), { code: "EEXIST" });
    }
    await rename(tmp, file);
    return;
  }
  await rm(tmp);
}

/** Flushes a directory's entries (a new name in it) to the disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/** A sentence for a file-system failure. */
function explainFsError(error: unknown): string {
  switch (errnoCode(error)) {
    case "EACCES":
    case "EPERM":
      return "permission denied (the server's user may not write there)";
    case "EROFS":
      return "the filesystem is mounted read-only";
    case "ENOSPC":
      return "the drive is full";
    case "ENOTDIR":
      return "a path segment is a file, not a directory";
    case "EIO":
      return "input/output error (is the drive failing or unplugged?)";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
