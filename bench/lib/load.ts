/** One load measurement with autocannon, refusing results that include failed requests. */
import autocannon from "autocannon";

/** How hard and how long to load a server. */
export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
}

/** What one measurement found. */
export interface LoadMeasurement {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
}

/**
 * Loads `url` for the given time and reports completed requests per second.
 * @throws when any request failed, timed out or answered other than 2xx: a fast error page is not a fast route.
 */
export async function measureLoad(url: string, settings: LoadSettings): Promise<LoadMeasurement> {
  const result = await autocannon({
    url,
    connections: settings.connections,
    duration: settings.durationSeconds,
    headers: settings.headers ?? {},
  });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(
      `${url}: ${result.errors} errors (${result.timeouts} timeouts) and ${result.non2xx} non-2xx answers of ${result.requests.total} requests`,
    );
  }
  return {
    // why: total over measured time, not autocannon's mean of one-second samples, which drops the partial last second
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}
