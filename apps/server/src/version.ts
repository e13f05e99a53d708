/** The server's version, as the API and health report it. */
export const VERSION = "0.1.0";
