/** Whether the dashboard's or the kiosk's build is missing or older than anything it is built from (see web-build.js). */
export function webBuildIsStale(root: string): boolean;
/** Whether one browser app's build is missing or older than anything it is built from. */
export function appIsStale(root: string, app: "web" | "kiosk"): boolean;
