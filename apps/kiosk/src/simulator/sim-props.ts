/** What every part of the demo panel receives: the simulated cabinet, the strings and the way to act on it. */
import type { SimulatorAction, SimulatorState } from "@keyward/contracts/kiosk";
import type { Messages } from "../i18n.ts";

/** Props shared by the demo panel's parts. */
export interface SimProps {
  sim: SimulatorState;
  t: Messages["sim"];
  simulate: (action: SimulatorAction) => Promise<void>;
}
