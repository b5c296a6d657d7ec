// trident is an ES module package: `require('trident')` lands here (the "require" condition of
// package.json "exports") and fails with a message that says what to do instead.
'use strict';
const err = new Error("trident is ESM-only and cannot be loaded with require(). Use `import { HybridIndex } from 'trident'` " + 'in an ES module (package.json "type": "module" or a .mjs file), or `const trident = await import(\'trident\')` from CommonJS.');
err.code = 'ERR_REQUIRE_ESM';
throw err;
