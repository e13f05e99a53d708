/**
 * Runs a server under test in a child process. Load generator and server in one process would share one event loop,
 * so the generator's own work would show up as the server's slowness; two processes let each use a core of its own.
 */
import { type ChildProcess, fork } from "node:child_process";

/** A server in a child process, reachable at `url`. */
export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** What a server script sends its parent once it listens. */
export interface ListeningMessage {
  listening: string;
}

function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === "object" &&
    message !== null &&
    typeof (message as Partial<ListeningMessage>).listening === "string"
  );
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once("exit", () => resolve());
  });
}

/**
 * Forks a TypeScript server script (run through tsx, as `keyward` runs the server) and waits until it listens.
 * @param script the script's path; it must send a {@link ListeningMessage} over IPC once it listens.
 * @param args its arguments.
 */
export async function startServerProcess(script: string, args: string[] = []): Promise<ServerProcess> {
  const child = fork(script, args, {
    // why: the child needs the same TypeScript loader as the parent; resolving it here makes the loader independent
    // of the working directory the benchmark was started from
    execArgv: ["--import", import.meta.resolve("tsx")],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not start listening within 60 s`));
    }, 60_000);
    child.on("message", (message) => {
      if (isListeningMessage(message)) {
        clearTimeout(timer);
        resolve(message.listening);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before listening (${signal ?? `exit code ${code}`})`));
    });
  });
  return {
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill("SIGTERM");
      // why: a server that cannot close (a connection that never ends) must not keep the benchmark from finishing
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited(child);
      clearTimeout(force);
    },
  };
}

/**
 * For server scripts: reports the URL to the parent, and exits when the parent says so or goes away (a benchmark
 * stopped with Ctrl-C must not leave servers behind).
 * @param url where the server listens.
 * @param close stops the server.
 */
export function reportListening(url: string, close: () => Promise<void>): void {
  const stop = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("disconnect", stop);
  process.send?.({ listening: url } satisfies ListeningMessage);
}
