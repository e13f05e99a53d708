#!/usr/bin/env node
// The keyward command. The server runs its TypeScript through tsx's loader, so there is no separate build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
