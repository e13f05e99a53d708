#!/usr/bin/env node
// Lets `node bin/keyward.js …` work from a checkout; the command lives in apps/server, whose package declares the
// `keyward` bin so that `npx keyward` finds it in the workspace.
import "../apps/server/bin/keyward.js";
