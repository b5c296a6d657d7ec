#!/usr/bin/env node
/** The `trident` bin entry: runs the command line (run.ts) and exits with its code. */
import { processIo, runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), processIo);
// Native handles (onnxruntime threads) can keep the loop alive after the work is done.
process.exit();
