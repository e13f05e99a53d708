/** Runs the real `keyward` command as a child process, as an operator would, and collects what it printed. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const KEYWARD_BIN = resolve(fileURLToPath(new URL("../../../bin/keyward.js", import.meta.url)));

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** `keyward ARGS` with a clean environment: PATH, TZ=UTC, silent logs, and `env` (KEYWARD_DATA_DIR at least). */
export function keyward(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [KEYWARD_BIN, ...args], {
      env: { PATH: process.env.PATH, TZ: "UTC", LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => done({ code, out, err }));
  });
}
