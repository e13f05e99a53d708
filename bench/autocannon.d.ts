// The part of autocannon's API the benchmarks use. The package ships no types and no @types package is installed;
// these describe autocannon 8 as read from its README and lib/run.js.
declare module "autocannon" {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      method?: string;
      headers?: Record<string, string>;
      /** Seconds to wait for a response before counting a timeout. */
      timeout?: number;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      url: string;
      connections: number;
      /** Seconds actually measured. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      "2xx": number;
      /** Milliseconds per request. */
      latency: Histogram;
      /** Requests per one-second sample; `total` is every completed request. */
      requests: Histogram;
      /** Bytes per one-second sample. */
      throughput: Histogram;
    }
  }

  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;

  export = autocannon;
}
