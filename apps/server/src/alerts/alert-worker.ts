/**
 * The alert scheduler and delivery worker of a server process. Every KEYWARD_ALERT_SCAN_SECONDS the process holding
 * the `alert-scan` lease runs the time-based pass (`scanAlerts`); every KEYWARD_ALERT_DELIVERY_SECONDS, right after
 * each scan, and at once whenever alert messages are queued anywhere (`alerts` notifications, heard from every
 * process on PostgreSQL), it sends what is due. Sending needs no lease — each message is claimed — but the process
 * holding the `alert-delivery` lease notes each of its passes there, so `/api/health` shows when messages were last
 * looked at. Passes run one at a time in a process.
 */
import { randomUUID } from "node:crypto";
import { acquireLease, markLeaseRun } from "../scheduler/lease.ts";
import type { Services } from "../services.ts";
import { sendDueAlertDeliveries } from "./deliver-alerts.ts";
import { scanAlerts } from "./scan-alerts.ts";

/** The job lease of the time-based alert pass. */
export const ALERT_SCAN_LEASE = "alert-scan";
/** The job lease under which delivery passes are noted for health. */
export const ALERT_DELIVERY_LEASE = "alert-delivery";

const MINUTE = 60_000;

export interface AlertWorker {
  stop(): Promise<void>;
  /** Runs a scan and a delivery pass now (after anything already running) and resolves when both are done. */
  idle(): Promise<void>;
}

/** Starts the alert worker; `log` hears what an operator should know. */
export function startAlertWorker(services: Services, log: (message: string) => void): AlertWorker {
  const holder = randomUUID();
  const { config } = services;
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let scanWanted = false;
  let deliveryWanted = false;
  const serial = (task: () => Promise<unknown>) => {
    chain = chain
      .then(task)
      .catch((error: unknown) => log(`alerts: ${error instanceof Error ? error.message : String(error)}`));
    return chain;
  };

  const deliver = async () => {
    const result = await sendDueAlertDeliveries(services, holder);
    if (result.failed > 0) {
      log(`alerts: ${result.failed} alert message(s) could not be sent; see the alerts' deliveries`);
    }
    // why: a lease only to say who notes the passes; a process that dies lets another take over the noting
    const ttl = Math.max(2 * MINUTE, 3 * config.alertDeliverySeconds * 1000);
    if (await acquireLease(services.db, ALERT_DELIVERY_LEASE, holder, ttl, services.now())) {
      await markLeaseRun(services.db, ALERT_DELIVERY_LEASE, holder, services.now());
    }
  };
  const scan = async () => {
    const ttl = Math.max(2 * MINUTE, 3 * config.alertScanSeconds * 1000);
    if (await acquireLease(services.db, ALERT_SCAN_LEASE, holder, ttl, services.now())) {
      const result = await scanAlerts(services);
      for (const failure of result.failures) {
        log(`alerts: the pass for organization ${failure.organizationId} failed: ${failure.error}`);
      }
      await markLeaseRun(services.db, ALERT_SCAN_LEASE, holder, services.now());
    }
  };

  // why: a request made while a pass of its kind waits in the queue is folded into it; one made while a pass runs
  // queues one more, so nothing queued during a pass waits for the next timer
  const kickDelivery = () => {
    if (stopped || deliveryWanted) {
      return chain;
    }
    deliveryWanted = true;
    return serial(async () => {
      deliveryWanted = false;
      if (!stopped) {
        await deliver();
      }
    });
  };
  const kickScan = () => {
    if (stopped || scanWanted) {
      return chain;
    }
    scanWanted = true;
    const scanned = serial(async () => {
      scanWanted = false;
      if (!stopped) {
        await scan();
      }
    });
    // why: digests the scan queued publish nothing; the pass after it sends them and any escalation at once
    kickDelivery();
    return scanned;
  };

  const unsubscribe = services.notifier.subscribe((n) => {
    if (n.channel === "alerts" || n.channel === "resync") {
      void kickDelivery();
    }
  });
  const timers = [
    setInterval(() => void kickScan(), config.alertScanSeconds * 1000),
    setInterval(() => void kickDelivery(), config.alertDeliverySeconds * 1000),
  ];
  for (const t of timers) {
    t.unref();
  }
  void kickScan();

  return {
    stop: async () => {
      stopped = true;
      unsubscribe();
      for (const t of timers) {
        clearInterval(t);
      }
      await chain;
    },
    idle: async () => {
      if (stopped) {
        return;
      }
      await serial(scan);
      await serial(deliver);
    },
  };
}
