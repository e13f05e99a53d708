/** A real SMTP server on 127.0.0.1 for tests: keeps what it accepts, parsed, and can refuse or hold messages. */
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface Received {
  to: string[];
  mail: ParsedMail;
}

export interface Inbox {
  url: string;
  messages: Received[];
  /** Messages to refuse (451) before accepting again. */
  refuse: number;
  /** Milliseconds to hold each message before answering (to make two senders overlap). */
  delayMs: number;
  close(): Promise<void>;
}

/** Starts the inbox on a free port; `url` is what KEYWARD_SMTP_URL would name. */
export async function startInbox(): Promise<Inbox> {
  const inbox = { messages: [] as Received[], refuse: 0, delayMs: 0 };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        setTimeout(() => {
          if (inbox.refuse > 0) {
            inbox.refuse--;
            callback(Object.assign(new Error("Mailbox busy, try again later"), { responseCode: 451 }));
            return;
          }
          simpleParser(Buffer.concat(chunks)).then((mail) => {
            inbox.messages.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
            callback();
          }, callback);
        }, inbox.delayMs);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as AddressInfo;
  return Object.assign(inbox, {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  });
}
