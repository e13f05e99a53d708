/**
 * E-mail over SMTP, shared by every sender (scheduled reports, alerts): one transport per pass, opened from the
 * configuration and closed by whoever opened it.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Config } from "../config.ts";

/** An open SMTP transport (nodemailer's), as `openMailTransport` returns it. */
export type MailTransport = Transporter<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;

/** What a message waiting for an SMTP server records as its last error (reports and alerts alike). */
export const NO_SMTP_MESSAGE = "No SMTP server configured: set KEYWARD_SMTP_URL (see docs/operations.md).";

/**
 * Opens a transport to KEYWARD_SMTP_URL; null while no SMTP server is configured (the caller decides what waiting means).
 * @param mail the `mail` section of the configuration.
 */
export function openMailTransport(mail: Config["mail"]): MailTransport | null {
  if (mail.smtpUrl === undefined) {
    return null;
  }
  return nodemailer.createTransport({
    url: mail.smtpUrl,
    // why: a hung server must give up before a claim (5 minutes for alerts, 10 for reports) lapses and another
    // process sends again
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
  });
}
